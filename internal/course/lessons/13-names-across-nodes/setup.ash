# three nodes in this process, a registry users on each, alice on b
clock real
node start a b c --lease 1s
reg new users --scope cluster
on b reg new users --scope cluster
on c reg new users --scope cluster
on b spawn counter --via users --name alice --restart temporary
sleep 300ms
