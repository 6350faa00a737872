#!/usr/bin/env -S actorsh run
# The seed post, step 2: naming greeters with String.to_atom("greeter_for_#{person}").
#
# Every new name is a new atom. The BEAM's atom table holds 1,048,576 atoms,
# never frees one, and the VM dies when it is full. Here the table is made
# small, so the end comes after a few greetings rather than a million.
# The spawn that overflows the table is marked ! : it is meant to fail.

atoms --limit 5
echo -- each greeter gets an atom name: the process exits, the atom stays
spawn greeter alice --atom-name
spawn greeter bob --atom-name
atoms
echo -- greeting alice again reuses her atom
spawn greeter alice --atom-name
atoms
spawn counter --name kept_alive
spawn greeter carol --atom-name
spawn greeter dave --atom-name
spawn greeter erin --atom-name
atoms
echo -- one more new name: the table is full and the VM dies, taking every process with it
! spawn greeter frank --atom-name
echo -- the runtime is new: kept_alive is gone
whereis kept_alive
