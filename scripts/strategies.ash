#!/usr/bin/env -S actorsh run
# Strategies: what else restarts when one child crashes.

echo -- one_for_one: only the crashed child
sup start ofo --strategy one_for_one
spawn counter --sup ofo --name a1
spawn counter --sup ofo --name b1
spawn counter --sup ofo --name c1
kill b1 boom
expect restarted b1

echo -- one_for_all: all of them (the others stop in reverse order, all start in order)
sup start ofa --strategy one_for_all
spawn counter --sup ofa --name a2
spawn counter --sup ofa --name b2
spawn counter --sup ofa --name c2
kill b2 boom
expect restarted a2
expect restarted c2

echo -- rest_for_one: the crashed child and those started after it
sup start rfo --strategy rest_for_one
spawn counter --sup rfo --name a3
spawn counter --sup rfo --name b3
spawn counter --sup rfo --name c3
kill b3 boom
expect restarted c3
tree
