## task 2: a monitor of a process that is gone fires at once
# the DOWN for bob's greeter says noproc
expect down greeter_for_bob noproc

## task 1: a monitor tells, and ties nothing
kill job boom
# the watcher gets DOWN, with the job's reason
expect down job boom
# and lives on
expect kept watcher
