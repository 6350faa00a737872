## task 1: the tree has its shape
# app holds db and web
expect tree app children=2 strategy=rest_for_one
# web holds both handlers
expect tree web children=2 strategy=one_for_one

## task 2: a crash of db restarts what was started after it
kill db
# db comes back
expect restarted db
# and web, started after it, with it
expect restarted web
# and web's handlers come back with web: they are in its child list
expect alive h1
expect alive h2

## task 3: a handler's crash restarts that handler only
kill h1
# h1 comes back
expect restarted h1
# h2 is untouched
expect kept h2
# and so is db
expect kept db
