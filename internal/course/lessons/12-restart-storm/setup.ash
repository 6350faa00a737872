# a shop whose flaky part crashes every second, under the shop's supervisor
sup start shop --max-restarts 3 --max-seconds 5
spawn counter --sup shop --name cart
spawn crasher 1s --sup shop --name flaky
sleep 5s
