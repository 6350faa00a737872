## task 1: alice has one session, named in the registry
# the registry holds her session
expect alive sessions/alice
# a second one was refused: root and alice's session are all that run
expect count processes 2

## task 3: the call reached her session
# the counter answered 1
expect output "1"
# and holds its count
call sessions/alice get
expect output "1"

## task 2: her restart takes the name again
kill sessions/alice
# a restart
expect restarted alice
# the name names the new process
expect alive sessions/alice
