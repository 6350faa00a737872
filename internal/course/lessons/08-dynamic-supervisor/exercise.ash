# DynamicSupervisor. Fill each blank, then: learn verify dynamic-supervisor

# 1. a pool of at most three jobs
sup start pool --dynamic --max-children ___

# 2. three jobs at once
spawn counter --sup pool --name job{i} --count ___

# 3. a fourth is refused while they run
___ spawn counter --sup pool --name job4

# 4. stop job1 for good, then start job4 in its place
sup ___ pool job1
spawn counter --sup pool --name job4
