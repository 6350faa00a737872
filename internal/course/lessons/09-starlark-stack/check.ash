spawn stack 1 2 --name s

## task 1: pop replies with the top and keeps the rest
call s pop
# the top of [1, 2] is 1
expect last 1
call s size
# one item is left
expect last 1

## task 2: push puts an item on top
cast s {push, 9}
call s pop
# what was pushed last comes off first
expect last 9
call s pop
call s pop
# and an empty stack says so
expect last {error, empty}
# without crashing
expect kept s
