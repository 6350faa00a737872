reg new buckets
spawn bucket --via buckets --name shopping
spawn bucket --via buckets --name todo

## task 1: get finds what is there, and nil where nothing is
call buckets/shopping {get, milk}
# nothing under milk yet
expect last nil

## task 2: put keeps a value under a key
call buckets/shopping {put, milk, 3}
# put says ok
expect last ok
call buckets/shopping {get, milk}
# and get finds it
expect last 3
call buckets/todo {get, milk}
# in that bucket only
expect last nil

## task 3: delete takes a value out and says what it was
call buckets/shopping {delete, milk}
# the value it took
expect last 3
call buckets/shopping {get, milk}
# is gone
expect last nil

## task 4: a bucket's state is its own process's
call buckets/shopping {put, eggs, 12}
kill buckets/shopping
# the supervisor starts a new bucket under the same name
expect restarted shopping
call buckets/shopping {get, eggs}
# which starts empty
expect last nil
