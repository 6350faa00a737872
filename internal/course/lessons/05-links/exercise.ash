# Links. Fill each blank, then: learn verify links
spawn counter --name worker
spawn counter --name bystander
spawn counter --name guard

# 1. link the worker to the bystander and to the guard
link worker ___
link worker ___

# 2. the guard hears of a crash as a message, and lives on
trap ___ on
