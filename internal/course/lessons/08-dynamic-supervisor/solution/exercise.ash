# DynamicSupervisor. Fill each blank, then: learn verify dynamic-supervisor

# 1. a pool of at most three jobs
sup start pool --dynamic --max-children 3

# 2. three jobs at once
spawn counter --sup pool --name job{i} --count 3

# 3. a fourth is refused while they run
! spawn counter --sup pool --name job4

# 4. stop job1 for good, then start job4 in its place
sup terminate pool job1
spawn counter --sup pool --name job4
