## task 1: a crash every two seconds is tolerated
kill worker
sleep 2s
kill worker
sleep 2s
kill worker
sleep 2s
kill worker
sleep 2s
kill worker
# after five crashes, two seconds apart, the supervisor goes on
expect kept worker_sup
# and the worker was restarted each time
expect restarted worker

## task 2: three crashes within a second are too many
sleep 10s
kill worker
sleep 100ms
kill worker
sleep 100ms
kill worker
# the supervisor gives up
expect gave-up worker_sup
