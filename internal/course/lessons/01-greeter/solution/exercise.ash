# The Greeter. Fill each blank, then: learn verify greeter

# 1. Greet alice: spawn KIND ARG starts a process of a built-in kind.
spawn greeter alice

# 2. The seed post's mistake, on a small atom table: every greeter named
#    with an atom uses one up for good, and the fourth does not fit. The
#    VM dies, and the shell starts a fresh one. Mark the line that must
#    fail, so that the file goes on.
atoms --limit 3
spawn greeter a1 --atom-name
spawn greeter a2 --atom-name
spawn greeter a3 --atom-name
! spawn greeter a4 --atom-name

# 3. Greet user1 to user10 in one command, named through the registry
#    (no --atom-name), so that no atom is used.
spawn greeter user{i} --count 10
