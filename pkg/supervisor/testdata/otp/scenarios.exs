# The OTP side of actorsh's differential tests (pkg/supervisor
# TestOTPRecordings). Each scenario prints lines "NAME: what happened";
# scripts/record-otp.sh runs this with Elixir/OTP and writes
# recording.txt, which the Go test compares with what actorsh does in the
# same scenario. Only the recording is needed to run the tests.

defmodule J do
  # A journal of what workers report, in order.
  def start, do: Agent.start_link(fn -> [] end, name: __MODULE__)
  def add(line), do: Agent.update(__MODULE__, &[line | &1])
  def take, do: Agent.get_and_update(__MODULE__, fn l -> {Enum.reverse(l), []} end)
end

defmodule W do
  # A worker that traps exits, reports its start and its terminate, and
  # exits with any reason it is cast.
  use GenServer
  def start_link(id), do: GenServer.start_link(__MODULE__, id)
  def child(id, restart), do: %{id: id, start: {W, :start_link, [id]}, restart: restart}
  @impl true
  def init(id) do
    Process.flag(:trap_exit, true)
    J.add("start #{id}")
    {:ok, id}
  end
  @impl true
  def handle_cast({:exit, reason}, id), do: {:stop, reason, id}
  def handle_cast(:unlink_from_parent, id) do
    [parent | _] = Process.get(:"$ancestors")
    Process.unlink(parent)
    {:noreply, id}
  end
  @impl true
  def handle_call(:slow, _from, id) do
    Process.sleep(5_000)
    {:reply, :late, id}
  end
  @impl true
  def terminate(_reason, id), do: J.add("stop #{id}")
end

defmodule Flaky do
  # A child whose start fails while the flag is set.
  def start_link(id) do
    if :persistent_term.get(:flaky, false), do: {:error, :start_failed}, else: W.start_link(id)
  end
end

defmodule S do
  def out(name, line), do: IO.puts("#{name}: #{line}")
  def settle, do: Process.sleep(50)
  def pid_of(sup, id) do
    {_, pid, _, _} = Enum.find(Supervisor.which_children(sup), fn {i, _, _, _} -> i == id end)
    pid
  end
  def crash(sup, id, :killed), do: Process.exit(pid_of(sup, id), :kill)
  def crash(sup, id, reason), do: GenServer.cast(pid_of(sup, id), {:exit, reason})
  def children(sup) do
    Supervisor.which_children(sup)
    |> Enum.reverse()   # which_children lists the newest first; actorsh in start order
    |> Enum.map(fn {id, pid, _, _} -> "#{id}:#{if is_pid(pid), do: "running", else: inspect(pid)}" end)
    |> Enum.join(" ")
  end
  def journal(name), do: Enum.each(J.take(), &out(name, &1))
  def reason(:normal), do: "normal"
  def reason(:shutdown), do: "shutdown"
  def reason({:shutdown, _}), do: "{shutdown, x}"
  def reason(:killed), do: "killed"
  def reason(r), do: inspect(r)
  def start(children, opts) do
    {:ok, sup} = Supervisor.start_link(children, opts)
    Process.unlink(sup)
    J.take()
    sup
  end
end

defmodule Scenarios do
  # restart_table: which exits a child of each restart type is restarted after.
  def restart_table do
    for restart <- [:permanent, :transient, :temporary],
        reason <- [:normal, :shutdown, {:shutdown, :x}, :killed, :boom] do
      sup = S.start([W.child("w", restart)], strategy: :one_for_one, max_restarts: 10)
      S.crash(sup, "w", reason)
      S.settle()
      what =
        case Supervisor.which_children(sup) do
          [] -> "removed"
          [{_, pid, _, _}] when is_pid(pid) -> "restarted"
          [{_, :undefined, _, _}] -> "not_restarted"
        end
      S.out("restart_table", "#{restart} #{S.reason(reason)} -> #{what}")
      Supervisor.stop(sup)
      J.take()
    end
  end

  # one_for_all_terminated_sibling: a sibling stopped with terminate_child
  # is started again by a one_for_all restart.
  def one_for_all_terminated_sibling do
    sup = S.start(Enum.map(["a", "b", "c"], &W.child(&1, :permanent)), strategy: :one_for_all)
    :ok = Supervisor.terminate_child(sup, "b")
    S.crash(sup, "a", :boom)
    S.settle()
    S.journal("one_for_all_terminated_sibling")
    S.out("one_for_all_terminated_sibling", S.children(sup))
    Supervisor.stop(sup)
    J.take()
  end

  # rest_for_one_order: the children after the one that exited stop in
  # reverse order and start in order.
  def rest_for_one_order do
    sup = S.start(Enum.map(["a", "b", "c", "d"], &W.child(&1, :permanent)), strategy: :rest_for_one)
    S.crash(sup, "b", :boom)
    S.settle()
    S.journal("rest_for_one_order")
    Supervisor.stop(sup)
    J.take()
  end

  # one_for_all_temporary: a temporary sibling stopped by a one_for_all
  # restart is not started again, and leaves.
  def one_for_all_temporary do
    sup = S.start([W.child("a", :permanent), W.child("t", :temporary), W.child("c", :permanent)], strategy: :one_for_all)
    S.crash(sup, "a", :boom)
    S.settle()
    S.journal("one_for_all_temporary")
    S.out("one_for_all_temporary", S.children(sup))
    Supervisor.stop(sup)
    J.take()
  end

  # intensity: the third restart within 5 s of max_restarts 2 ends the
  # supervisor with shutdown, its children stopped in reverse order.
  def intensity do
    sup = S.start(Enum.map(["a", "b", "c"], &W.child(&1, :permanent)), strategy: :one_for_one, max_restarts: 2, max_seconds: 5)
    ref = Process.monitor(sup)
    for _ <- 1..3 do
      S.crash(sup, "a", :boom)
      S.settle()
    end
    receive do
      {:DOWN, ^ref, :process, _, reason} -> S.out("intensity", "supervisor exited: #{S.reason(reason)}")
    after
      1000 -> S.out("intensity", "supervisor alive")
    end
    S.journal("intensity")
  end

  # max_restarts_zero: with max_restarts 0 the first restart is one too many.
  def max_restarts_zero do
    sup = S.start([W.child("a", :permanent)], strategy: :one_for_one, max_restarts: 0)
    ref = Process.monitor(sup)
    S.crash(sup, "a", :boom)
    receive do
      {:DOWN, ^ref, :process, _, reason} -> S.out("max_restarts_zero", "supervisor exited: #{S.reason(reason)}")
    after
      1000 -> S.out("max_restarts_zero", "supervisor alive")
    end
    J.take()
  end

  # window_edge: OTP stamps restarts in whole seconds of monotonic time
  # and keeps those at most max_seconds old, so with max_seconds 1 a
  # restart 1.1 s ago may still count (actorsh: it does not).
  def window_edge do
    sup = S.start([W.child("a", :permanent)], strategy: :one_for_one, max_restarts: 1, max_seconds: 1)
    ref = Process.monitor(sup)
    S.crash(sup, "a", :boom)
    S.settle()
    Process.sleep(1100)
    S.crash(sup, "a", :boom)
    receive do
      {:DOWN, ^ref, :process, _, reason} -> S.out("window_edge", "a second restart 1.1 s later: supervisor exited: #{S.reason(reason)}")
    after
      200 -> S.out("window_edge", "a second restart 1.1 s later: supervisor alive")
    end
    if Process.alive?(sup), do: Supervisor.stop(sup)
    J.take()
  end

  # window_slides: a restart more than max_seconds + 1 old no longer counts
  # in OTP either.
  def window_slides do
    sup = S.start([W.child("a", :permanent)], strategy: :one_for_one, max_restarts: 1, max_seconds: 1)
    ref = Process.monitor(sup)
    S.crash(sup, "a", :boom)
    S.settle()
    Process.sleep(2100)
    S.crash(sup, "a", :boom)
    S.settle()
    S.out("window_slides", "a second restart 2.1 s later: #{if Process.alive?(sup), do: "supervisor alive", else: "supervisor gave up"}")
    S.crash(sup, "a", :boom)
    receive do
      {:DOWN, ^ref, :process, _, reason} -> S.out("window_slides", "a third at once: supervisor exited: #{S.reason(reason)}")
    after
      1000 -> S.out("window_slides", "a third at once: supervisor alive")
    end
    J.take()
  end

  # child_management: the results of terminate, restart, delete and start_child.
  def child_management do
    sup = S.start([W.child("a", :permanent)], strategy: :one_for_one)
    show = fn
      :ok -> "ok"
      {:ok, pid} when is_pid(pid) -> "ok"
      {:error, {:already_started, pid}} when is_pid(pid) -> "error already_started"
      {:error, r} -> "error #{inspect(r)}"
    end
    S.out("child_management", "terminate_child nobody: " <> show.(Supervisor.terminate_child(sup, "nobody")))
    S.out("child_management", "restart_child a (running): " <> show.(Supervisor.restart_child(sup, "a")))
    S.out("child_management", "delete_child a (running): " <> show.(Supervisor.delete_child(sup, "a")))
    S.out("child_management", "start_child a (running): " <> show.(Supervisor.start_child(sup, W.child("a", :permanent))))
    S.out("child_management", "terminate_child a: " <> show.(Supervisor.terminate_child(sup, "a")))
    S.out("child_management", "start_child a (terminated): " <> show.(Supervisor.start_child(sup, W.child("a", :permanent))))
    S.out("child_management", "restart_child a (terminated): " <> show.(Supervisor.restart_child(sup, "a")))
    Supervisor.terminate_child(sup, "a")
    S.out("child_management", "delete_child a (terminated): " <> show.(Supervisor.delete_child(sup, "a")))
    S.out("child_management", "delete_child a (deleted): " <> show.(Supervisor.delete_child(sup, "a")))
    S.out("child_management", "restart_child a (deleted): " <> show.(Supervisor.restart_child(sup, "a")))
    Supervisor.stop(sup)
    J.take()
  end

  # unlinked_child: a child that unlinked itself and died is not counted as
  # active.
  def unlinked_child do
    sup = S.start([W.child("a", :permanent)], strategy: :one_for_one)
    pid = S.pid_of(sup, "a")
    GenServer.cast(pid, :unlink_from_parent)
    S.settle()
    Process.exit(pid, :kill)
    S.settle()
    %{active: active, specs: specs} = Supervisor.count_children(sup)
    S.out("unlinked_child", "specs #{specs} active #{active}")
    Supervisor.stop(sup)
    J.take()
  end

  # terminate_while_restarting: terminate_child of a child whose restart
  # failed and is being retried wins over the retry.
  def terminate_while_restarting do
    :persistent_term.put(:flaky, false)
    sup = S.start([%{id: "f", start: {Flaky, :start_link, ["f"]}}], strategy: :one_for_one, max_restarts: 1_000_000, max_seconds: 1)
    :persistent_term.put(:flaky, true)
    Process.exit(S.pid_of(sup, "f"), :kill)
    Process.sleep(20)
    {_, state, _, _} = Enum.find(Supervisor.which_children(sup), fn {i, _, _, _} -> i == "f" end)
    S.out("terminate_while_restarting", "before: #{inspect(state)}")
    S.out("terminate_while_restarting", "terminate_child: #{inspect(Supervisor.terminate_child(sup, "f"))}")
    :persistent_term.put(:flaky, false)
    Process.sleep(50)
    S.out("terminate_while_restarting", "after: " <> S.children(sup))
    Supervisor.stop(sup)
    J.take()
  end

  # start_raises: a start function that raises fails that start; the
  # supervisor lives on.
  def start_raises do
    sup = S.start([], strategy: :one_for_one)
    r = Supervisor.start_child(sup, %{id: "bad", start: {Map, :fetch!, [%{}, :missing]}})
    S.out("start_raises", "start_child: #{elem(r, 0)}, supervisor #{if Process.alive?(sup), do: "alive", else: "dead"}")
    Supervisor.stop(sup)
  end

  # dynamic_max_children: past max_children start_child fails with max_children.
  def dynamic_max_children do
    {:ok, dsup} = DynamicSupervisor.start_link(strategy: :one_for_one, max_children: 1)
    {:ok, _} = DynamicSupervisor.start_child(dsup, %{id: "a", start: {W, :start_link, ["a"]}})
    S.out("dynamic_max_children", "second: #{inspect(DynamicSupervisor.start_child(dsup, %{id: "b", start: {W, :start_link, ["b"]}}))}")
    DynamicSupervisor.stop(dsup)
    J.take()
  end

  # dead_process: a monitor of a dead process delivers DOWN noproc at once;
  # a process that traps exits and links to a dead one gets EXIT noproc.
  def dead_process do
    dead = spawn(fn -> :ok end)
    Process.sleep(10)
    ref = Process.monitor(dead)
    receive do
      {:DOWN, ^ref, :process, ^dead, reason} -> S.out("dead_process", "monitor: DOWN #{inspect(reason)}")
    after
      100 -> S.out("dead_process", "monitor: nothing")
    end
    try do
      Process.link(dead)
    rescue
      e -> S.out("dead_process", "link raised #{inspect(e)}")
    end
    receive do
      {:EXIT, ^dead, reason} -> S.out("dead_process", "link while trapping: EXIT #{inspect(reason)}")
    after
      100 -> S.out("dead_process", "link while trapping: nothing")
    end
  end

  # killed_mid_call: a caller whose server is killed while it handles the
  # call exits with the server's reason.
  def killed_mid_call do
    {:ok, srv} = W.start_link("srv")
    J.take()
    caller = Task.async(fn ->
      try do
        GenServer.call(srv, :slow, 10_000)
      catch
        :exit, {reason, _} -> {:exited, reason}
      end
    end)
    Process.sleep(50)
    Process.exit(srv, :kill)
    {:exited, reason} = Task.await(caller)
    S.out("killed_mid_call", "caller exited: #{inspect(reason)}")
  end

  # init_fails: start_link of a server whose init stops returns the
  # error; on OTP 25 the linked caller (trapping exits) also gets an EXIT.
  def init_fails do
    r = GenServer.start_link(Failing, nil)
    S.out("init_fails", "start_link: #{inspect(r)}")
    receive do
      {:EXIT, _, reason} -> S.out("init_fails", "caller got EXIT #{inspect(reason)}")
    after
      100 -> S.out("init_fails", "caller got nothing")
    end
  end
end

defmodule Failing do
  use GenServer
  @impl true
  def init(_), do: {:stop, :boom}
end

Logger.configure(level: :none) # the crash reports are not the point
J.start()
Process.flag(:trap_exit, true)
Scenarios.restart_table()
Scenarios.one_for_all_terminated_sibling()
Scenarios.rest_for_one_order()
Scenarios.one_for_all_temporary()
Scenarios.intensity()
Scenarios.max_restarts_zero()
Scenarios.window_edge()
Scenarios.window_slides()
Scenarios.child_management()
Scenarios.unlinked_child()
Scenarios.terminate_while_restarting()
Scenarios.start_raises()
Scenarios.dynamic_max_children()
Scenarios.dead_process()
Scenarios.killed_mid_call()
Scenarios.init_fails()
