# Monitors. Fill each blank, then: learn verify monitors
spawn counter --name job
spawn counter --name watcher

# 1. the watcher hears when job ends, and does not end with it
monitor watcher job

# 2. monitor a process that is already gone, by its PID
spawn greeter bob
monitor watcher $_
