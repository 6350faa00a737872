## task 1: alice is greeted, once, and her greeter is gone
# alice is greeted
expect output "👋 alice"
# her greeter exits with reason normal
expect exited greeter_for_alice normal
# and, transient, it is not restarted
expect not-restarted greeter_for_alice
# nothing is left running under her name
expect whereis greeter_for_alice == undefined

## task 2: atom names fill the table, and the VM dies
# the fourth atom did not fit
expect output "no more index entries in atom_tab (max=3)"
# and the simulated VM crashed
expect output "the simulated VM crashed"

## task 3: ten greeters, named through the registry
# user1 is greeted
expect output "👋 user1"
# and user10
expect output "👋 user10"
# registry names cost no atom: the fresh VM's table is still empty
expect count atoms 0
# and they go away with their processes: only root is left in names
expect count names 1
