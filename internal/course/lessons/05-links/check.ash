## task 1: a crash travels along links, unless it is trapped
kill worker boom
# the bystander goes down with the worker, with its reason
expect exited bystander boom
# the guard traps exits: it lives on
expect kept guard

## task 2: a normal exit does not travel
link worker bystander
stop worker
# the bystander ignores a normal exit signal
expect kept bystander
