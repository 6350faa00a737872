## task 1: b is cut off, and its lease runs out
# a hears that b's lease expired
expect output "node b's lease expired"
## task 2: alice is a's now
# the name users/alice is a process of this node's, and alive
expect alive users/alice
expect count processes 2
## task 3: the nodes are one cluster again, and alice stays a's
# b joins again
expect output "node b joined"
# alice is still the one a started
expect alive users/alice
