#!/usr/bin/env -S actorsh run
# The seed post, step 3: {:via, Registry, {GreeterRegistry, "greeter_for_#{person}"}}.
#
# Registry names are plain strings: they create no atoms. With the atom
# table as small as in step 2, the registry names far more processes than
# the table could ever hold.

atoms --limit 5
echo -- 2000 counters named through the default registry: no atom is used
spawn counter --name worker_{i} --count 2000
atoms
echo -- names holds 2001 entries: the 2000 counters and root, which the shell names there too
reg count names
whereis worker_1999
call worker_1999 inc
echo -- and greeters: each is greeted, exits and frees its name
spawn greeter person_{i} --count 3
echo -- 5000 more, quietly: no new atom
events off
spawn greeter person_{i} --count 5000
events on
reg count names
echo -- the one atom is inc, from the call above: atoms in messages are atoms too
atoms
