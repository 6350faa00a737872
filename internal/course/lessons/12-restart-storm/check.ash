## task 1: the storm stays in quarantine
sleep 20s
# the flaky part keeps crashing, and coming back
expect restarted flaky
# its own supervisor takes it
expect kept quarantine
# the shop goes on
expect kept shop
# and its cart with it
expect kept cart
# the shop's budget is untouched
expect tree shop restarts=0/3 children=1
