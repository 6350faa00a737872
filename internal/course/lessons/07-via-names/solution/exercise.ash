# Via names. Fill each blank, then: learn verify via-names

# 1. a unique registry, and alice's session in it
reg new sessions
spawn counter --via sessions --name alice

# 2. a second session for alice is refused, and the file goes on
! spawn counter --via sessions --name alice

# 3. call alice's session through its name
call sessions/alice inc
