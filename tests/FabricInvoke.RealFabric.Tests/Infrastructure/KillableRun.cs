using System.Diagnostics;
using System.Text;

namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>
/// A fabinvoke run left going, for the kill-and-resume tests (BatchResumeTests, EventsExactlyOnceTests): stdout's
/// lines and stderr kept as they come, SIGKILL on demand or at a moment its own progress picks
/// (<see cref="KillWhenAsync"/>). The child gets no CORE_*/FABRIC_* variable of this machine, only the given ones.
/// </summary>
public sealed class KillableRun : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _lines = [];
    private readonly Func<string, bool> _counts;
    private int _counted;

    private KillableRun(Process process, Func<string, bool> counts)
    {
        _process = process;
        _counts = counts;
    }

    /// <summary>Done once the process has exited and both its streams are read to their end.</summary>
    public Task Exited { get; private set; } = Task.CompletedTask;

    public int ExitCode => _process.ExitCode;

    /// <summary>How many non-empty stdout lines the start's <c>counts</c> accepted so far.</summary>
    public int Counted => Volatile.Read(ref _counted);

    /// <summary>Every complete non-empty stdout line read so far (after <see cref="Exited"/>: every one the process wrote).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet ARGS</c> with stdin closed.</summary>
    /// <param name="counts">Which stdout lines <see cref="Counted"/> counts (every non-empty one when not given).</param>
    public static KillableRun Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment, Func<string, bool>? counts = null)
    {
        var info = ChildProcess.StartInfo("dotnet", args);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var run = new KillableRun(process, counts ?? (_ => true));
        var stdoutDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderrDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                stdoutDone.TrySetResult();
                return;
            }

            if (e.Data.Length > 0)
            {
                lock (run._lines)
                {
                    run._lines.Add(e.Data);
                }

                if (run._counts(e.Data))
                {
                    Interlocked.Increment(ref run._counted);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                stderrDone.TrySetResult();
                return;
            }

            lock (run._stderr)
            {
                run._stderr.Append(e.Data).Append('\n');
            }
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        run.Exited = Task.WhenAll(process.WaitForExitAsync(), stdoutDone.Task, stderrDone.Task);
        return run;
    }

    /// <summary>
    /// Watches the run from a thread of its own until it exits (false) or <paramref name="due"/> says so, then SIGKILLs
    /// it at once (true). Looks follow each other 1 ms apart, or with only a yield between while <paramref name="flowing"/>
    /// says the run is writing fast (a line in well under a millisecond). Fails with <paramref name="stalled"/>'s text
    /// when neither happened within <paramref name="bound"/>.
    /// </summary>
    public Task<bool> KillWhenAsync(Func<bool> due, TimeSpan bound, Func<string> stalled, Func<bool>? flowing = null) =>
        Task.Factory.StartNew(() =>
        {
            var deadline = Stopwatch.StartNew();
            while (!Exited.IsCompleted)
            {
                if (due())
                {
                    Kill();
                    return true;
                }

                if (deadline.Elapsed >= bound)
                {
                    Assert.Fail(stalled());
                }

                if (flowing?.Invoke() == true)
                {
                    Thread.Yield();
                }
                else
                {
                    Thread.Sleep(1); // still starting, or a slow writer: polling
                }
            }

            return false;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>SIGKILL (nothing flushed, nothing cleaned up); nothing when it has exited.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
