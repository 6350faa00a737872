# A restart storm. Fill each blank, then: learn verify restart-storm
# (the setup ran first: the shop gave up, and root started it again, empty)

# 1. the cart, again under shop
spawn counter --sup shop --name cart

# 2. the part that crashes, under a supervisor of its own
sup start quarantine --max-restarts 100 --max-seconds 5
spawn crasher 1s --sup quarantine --name flaky
