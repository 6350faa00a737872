# The GenServer edges that kinds/probe.star makes scriptable, as Elixir
# runs them: scripts/record-otp.sh writes what this prints to
# recording.txt, which TestProbeAgainstOTP compares actorsh with.
:logger.set_primary_config(:level, :none) # the crash report is not part of the recording

defmodule Probe do
  use GenServer

  def init(:trap) do
    Process.flag(:trap_exit, true)
    {:ok, []}
  end

  def init(:slow) do
    Process.flag(:trap_exit, true)
    {:ok, ["slow"]}
  end

  def init(:stop), do: {:stop, :bad_init}
  def init(:ignore), do: :ignore
  def init(:timeout), do: {:ok, [], 50}
  def init(_), do: {:ok, []}

  def handle_cast({:continue, x}, s), do: {:noreply, s ++ ["cast #{x}"], {:continue, x}}
  def handle_continue(x, s), do: {:noreply, s ++ ["continue #{x}"]}

  def handle_call(:later, from, s) do
    send(self(), {:reply_to, from})
    {:noreply, s}
  end

  def handle_call(:log, _from, s), do: {:reply, s, s}

  def handle_info({:reply_to, from}, s) do
    GenServer.reply(from, :late)
    {:noreply, s}
  end

  def handle_info(msg, s), do: {:noreply, s ++ ["info #{msg}"]}

  def terminate(reason, ["slow" | _]) do
    send(:recorder, {:terminate, reason})
    Process.sleep(1000)
    send(:recorder, :terminate_finished)
  end

  def terminate(reason, _s), do: send(:recorder, {:terminate, reason})
end

defmodule Scenarios do
  def line(name, value), do: IO.puts("#{name}: #{value}")
  def log(pid), do: Enum.join(GenServer.call(pid, :log), ", ")

  def run do
    Process.register(self(), :recorder)

    {:ok, p} = GenServer.start(Probe, :plain)
    GenServer.cast(p, {:continue, "x"})
    send(p, :b)
    line("continue_before_next_message", log(p))

    {:ok, p} = GenServer.start(Probe, :timeout)
    Process.sleep(100)
    line("timeout_fires", log(p))

    {:ok, p} = GenServer.start(Probe, :timeout)
    send(p, :m)
    Process.sleep(100)
    line("timeout_cancelled_by_message", log(p))

    {:ok, p} = GenServer.start(Probe, :plain)
    line("late_reply", GenServer.call(p, :later))

    {:error, reason} = GenServer.start(Probe, :stop)
    line("init_stop", "error #{reason}")
    line("init_ignore", GenServer.start(Probe, :ignore))

    parent = spawn(fn ->
      {:ok, _} = GenServer.start_link(Probe, :trap)
      send(:recorder, :started)
      receive do: (:go -> exit(:boom))
    end)
    receive do: (:started -> :ok)
    send(parent, :go)
    receive do
      {:terminate, r} -> line("terminate_sees_parent_exit", r)
    after 1000 -> line("terminate_sees_parent_exit", "none")
    end

    # A terminate slower than its shutdown timeout is cut short: the
    # supervisor kills the child after 100 ms.
    children = [%{id: :slow, start: {GenServer, :start_link, [Probe, :slow]}, shutdown: 100}]
    {:ok, sup} = Supervisor.start_link(children, strategy: :one_for_one)
    Supervisor.terminate_child(sup, :slow)
    r = receive do
      {:terminate, r} -> "#{r}"
    after 1000 -> "none"
    end
    finished = receive do
      :terminate_finished -> "finished"
    after 1500 -> "cut short"
    end
    line("slow_terminate_under_shutdown_timeout", "#{r}, #{finished}")
  end
end

Scenarios.run()
