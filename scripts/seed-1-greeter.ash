#!/usr/bin/env -S actorsh run
# The seed post, step 1: a transient Greeter under a DynamicSupervisor.
#
# In Elixir:
#   defmodule Greeter do
#     use GenServer, restart: :transient
#     def init(person), do: {:ok, person, {:continue, nil}}
#     def handle_continue(nil, person) do
#       IO.puts("👋 #{person}")
#       {:stop, :normal, person}
#     end
#   end
#   DynamicSupervisor.start_child(GreeterSupervisor, {Greeter, "alice"})
#
# actorsh's session starts with a DynamicSupervisor (root) and a registry
# (names), so the greeter can be started at once. It is named
# greeter_for_alice in the registry.

echo -- greet alice: she is greeted once, exits with reason normal, and is not restarted
spawn greeter alice
expect output "👋 alice"
expect exited greeter_for_alice normal
expect not-restarted greeter_for_alice
echo -- her name is free again, and the supervisor has no child left
whereis greeter_for_alice
sup count root
echo -- so greeting her again works
spawn greeter alice
echo -- as a permanent child (the Elixir default) the greeter is restarted after every
echo -- normal exit, until the 4th restart within 5 seconds exceeds the intensity of 3
sup start greeters --dynamic
spawn greeter bob --sup greeters --restart permanent
tree
