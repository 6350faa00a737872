# Names across nodes. Fill each blank, then: learn verify names-across-nodes
# (the setup ran first: nodes a, b and c; alice runs on b)

# 1. cut b off from a and c
partition b | a c
# a lease is 1s: wait for it, and for a survivor to release b's names
sleep 2500ms

# 2. claim alice here, on node a
spawn counter --via users --name alice

# 3. join the nodes again
heal
sleep 1500ms
