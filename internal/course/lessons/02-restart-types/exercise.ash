# Restart types. Fill each blank, then: learn verify restart-types
sup start lab --dynamic --max-restarts 10

# comes back after any exit
spawn counter --sup lab --name always --restart ___

# comes back after a crash only
spawn counter --sup lab --name on_crash --restart ___

# never comes back
spawn counter --sup lab --name never --restart ___
