## task 1: the pool holds three jobs
# three run
expect count children pool 3
# it is a DynamicSupervisor
expect tree pool strategy=dynamic

## task 4: job1 is gone for good, and job4 runs in its place
# job1 exited with shutdown
expect exited job1 shutdown
# and was not restarted
expect whereis job1 == undefined
# job4 runs
expect alive job4

## task 3: the pool takes no more than three
# a fifth job is refused
! spawn counter --sup pool --name job5
