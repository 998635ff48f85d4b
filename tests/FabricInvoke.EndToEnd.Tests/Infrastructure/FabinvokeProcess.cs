using System.Diagnostics;
using FabricInvoke.Cli;
using FabricInvoke.Testing;

namespace FabricInvoke.EndToEnd.Tests.Infrastructure;

/// <summary>Runs the fabinvoke program as a separate OS process (the same build the tests reference).</summary>
public sealed class FabinvokeProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource<string>? _awaited;
    private string? _awaitedText;
    private TaskCompletionSource? _stdoutCount;
    private int _stdoutCountWanted;

    private FabinvokeProcess(Process process)
    {
        _process = process;
    }

    public static FabinvokeProcess Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);

    /// <summary>
    /// Runs fabinvoke under bash with <paramref name="redirections"/> applied to it (e.g. <c>2&gt;&amp;-</c>,
    /// <c>&gt;/dev/full</c>, <c>| true</c>), and returns fabinvoke's own exit code.
    /// </summary>
    public static async Task<int> RunUnderShellAsync(IReadOnlyDictionary<string, string?> environment, string redirections, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"dotnet \"$@\" {redirections}; exit ${{PIPESTATUS[0]}}");
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add(typeof(FabInvokeApp).Assembly.Location);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        ChildProcess.WithoutPeerSettings(info);

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
        await drain.WaitAsync(CliRun.Bound);
        return process.ExitCode;
    }

    /// <param name="environment">Variables to set for the child (after the CORE_*/FABRIC_* ones of this machine are removed).</param>
    public static FabinvokeProcess Start(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        StartFrom(typeof(FabInvokeApp).Assembly.Location, workingDirectory, environment, args);

    /// <summary>Runs <paramref name="fabinvokeDll"/> (a copy of this build elsewhere, say) under dotnet.</summary>
    public static FabinvokeProcess StartFrom(string fabinvokeDll, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(fabinvokeDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // A clean environment for the child: no identity or peer variables from the machine running the tests.
        ChildProcess.WithoutPeerSettings(info);

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var wrapper = new FabinvokeProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.Received(e.Data, wrapper._stdout);
        process.ErrorDataReceived += (_, e) => wrapper.Received(e.Data, wrapper._stderr);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Runs to completion (bounded) and returns exit code and output.</summary>
    public static Task<CliOutcome> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, null, args);

    /// <summary>Runs to completion (bounded) with <paramref name="environment"/> set, and returns exit code and output.</summary>
    public static Task<CliOutcome> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        RunFromAsync(typeof(FabInvokeApp).Assembly.Location, workingDirectory, environment, args);

    /// <summary>Runs <paramref name="fabinvokeDll"/> to completion (bounded) and returns exit code and output.</summary>
    public static async Task<CliOutcome> RunFromAsync(string fabinvokeDll, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        using var p = StartFrom(fabinvokeDll, workingDirectory, environment, args);
        var started = Stopwatch.GetTimestamp();
        await p._process.WaitForExitAsync().WaitAsync(CliRun.Bound);
        p._process.WaitForExit(); // drains the asynchronous output readers
        return new CliOutcome(p._process.ExitCode, p.Stdout, p.Stderr, Stopwatch.GetElapsedTime(started));
    }

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <summary>Completes with the first stdout or stderr line containing <paramref name="text"/> (already seen or still to come).</summary>
    public Task<string> WaitForLineAsync(string text)
    {
        lock (_gate)
        {
            var seen = _stdout.Concat(_stderr).FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            _awaitedText = text;
            _awaited = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _awaited.Task;
        }
    }

    /// <summary>Completes when stdout has at least <paramref name="count"/> lines, or when the process has exited.</summary>
    public Task WaitForStdoutLinesAsync(int count)
    {
        lock (_gate)
        {
            if (_stdout.Count >= count)
            {
                return Task.CompletedTask;
            }

            _stdoutCountWanted = count;
            _stdoutCount = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return Task.WhenAny(_stdoutCount.Task, _process.WaitForExitAsync());
        }
    }

    /// <summary>The stdout lines so far.</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToList();
            }
        }
    }

    public Task WaitForExitAsync() => _process.WaitForExitAsync();

    /// <summary>fabinvoke's stdin (redirected): what a test writes there, the command reads.</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL: no chance to flush or clean up, as when a machine loses the process.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGKILL to fabinvoke alone, not to the processes it started (its embedded network's, say).</summary>
    public void KillAlone() => _process.Kill(entireProcessTree: false);

    /// <summary>fabinvoke's own pid.</summary>
    public int Id => _process.Id;

    /// <summary>SIGINT, as Ctrl-C in a terminal.</summary>
    public void Interrupt() => Signal("-INT");

    /// <summary>SIGTERM, as a container runtime or CI job stopping the process.</summary>
    public void Terminate() => Signal("-TERM");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private void Received(string? line, List<string> into)
    {
        if (line is null)
        {
            return;
        }

        TaskCompletionSource<string>? complete = null;
        lock (_gate)
        {
            into.Add(line);
            if (_awaited is not null && line.Contains(_awaitedText!, StringComparison.Ordinal))
            {
                complete = _awaited;
                _awaited = null;
            }

            if (_stdoutCount is not null && ReferenceEquals(into, _stdout) && _stdout.Count >= _stdoutCountWanted)
            {
                _stdoutCount.TrySetResult();
                _stdoutCount = null;
            }
        }

        complete?.TrySetResult(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
