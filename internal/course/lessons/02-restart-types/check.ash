## task 1: always comes back after any exit
stop always
# a normal stop brings it back
expect restarted always
kill always boom
# and so does a crash
expect restarted always

## task 2: on_crash comes back after a crash only
kill on_crash boom
# a crash brings it back
expect restarted on_crash
stop on_crash shutdown
# shutdown is a clean exit: it stays down
expect not-restarted on_crash
expect whereis on_crash == undefined

## task 3: never stays down
kill never boom
# not even a crash brings it back
expect not-restarted never
# and its supervisor has forgotten it
expect count children lab 1
