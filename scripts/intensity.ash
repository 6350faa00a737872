#!/usr/bin/env -S actorsh run
# Restart intensity: more than max_restarts restarts within max_seconds
# and the supervisor gives up: it stops its children and exits with
# reason shutdown. Its own supervisor then decides what to do with it.
# Under virtual time the window is exact, and sleep takes no time.

clock virtual
sup start fragile --max-restarts 3 --max-seconds 5
spawn counter --sup fragile --name c1
spawn counter --sup fragile --name c2
echo -- three crashes, a second apart, are within the budget
kill c1
sleep 1s
kill c1
sleep 1s
kill c1
expect tree fragile restarts=3/3
echo -- at 5 s the first restart leaves the window, so a fourth crash is the third in it
sleep 3s
kill c1
expect tree fragile restarts=3/3 children=2
echo -- a fifth at once is the fourth within 5 seconds: one too many
kill c1
expect gave-up fragile
why-not c1
echo -- root restarted fragile, which starts empty: c1 and c2 were added with start_child
tree
