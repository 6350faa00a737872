#!/usr/bin/env -S actorsh run
# Restart intensity: more than max_restarts restarts within max_seconds
# and the supervisor gives up: it stops its children and exits with
# reason shutdown. Its own supervisor then decides what to do with it.

sup start fragile --max-restarts 3 --max-seconds 5
spawn counter --sup fragile --name c1
spawn counter --sup fragile --name c2
echo -- three crashes are within the budget
kill c1
kill c1
kill c1
tree fragile
echo -- the fourth within 5 seconds is one too many
kill c1
echo -- root restarted fragile, which starts empty: c1 and c2 were added with start_child
tree
