## task 1: the lenient manager replaces only the one who played badly
kill lenient_guitar boom
# the guitarist is replaced
expect restarted lenient_guitar
# the singer keeps playing
expect kept lenient_singer
# and so does the drummer
expect kept lenient_drums

## task 2: the angry manager replaces them and everyone hired after them
kill angry_guitar boom
# the guitarist is replaced
expect restarted angry_guitar
# and the drummer, hired after the guitarist
expect restarted angry_drums
# the singer, hired before, keeps playing
expect kept angry_singer

## task 3: the jerk replaces the whole band
kill jerk_guitar boom
# the guitarist is replaced
expect restarted jerk_guitar
# and the singer
expect restarted jerk_singer
# and the drummer
expect restarted jerk_drums
