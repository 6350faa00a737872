# The Greeter. Fill each ___ and run: learn verify greeter

# 1. Greet alice: spawn KIND ARG starts a process of a built-in kind.
spawn ___ alice

# 2. Greet user1 to user10 in one command, named through the registry
#    (no --atom-name), so that no atom is used.
spawn greeter user{i} --count ___
