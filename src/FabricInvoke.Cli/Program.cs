using System.Runtime.InteropServices;
using FabricInvoke.Cli;
using FabricInvoke.Cli.Output;
using Microsoft.Extensions.Configuration;

// Ctrl-C (SIGINT) and SIGTERM (a container or CI job being stopped) are taken over first of all, so that from here
// on a signal always ends the process with 130 and one line: the command is cancelled (it says whether its
// transaction was sent); if it has not stopped within the grace period, or a second signal comes, the process ends
// from here, with the same wording.
var startedAt = TimeProvider.System.GetTimestamp();
var grace = TimeSpan.FromSeconds(2);
var progress = new CommandProgress();
var stderr = ResilientWriter.Open(() => StdoutPipe.PipeWriter(2) ?? Console.Error);
using var interrupt = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

// A closed, full or abandoned stdout/stderr must not turn an earned exit code into a crash.
// On a pipe, a write whose reader went away (EPIPE) must be seen too: .NET's console streams drop it on Unix.
var stdoutPipe = StdoutPipe.PipeWriter(1);
var stdout = ResilientWriter.Open(() => stdoutPipe ?? Console.Out);
var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
var context = new CliContext(environment, stdout, stderr, progress: progress, startedAt: startedAt, rawOutput: new ResilientStream(() => stdoutPipe is StreamWriter w ? w.BaseStream : Console.OpenStandardOutput()))
{
    StdoutPipe = StdoutPipe.Open(),
    ErrorIsTerminal = !Console.IsErrorRedirected,
    TerminalWidth = TerminalWidth(),
};
return await FabInvokeApp.RunAsync(args, context, interrupt.Token).ConfigureAwait(false);

static int TerminalWidth()
{
    try
    {
        // 0 means the terminal did not say; any width it gives is used, however narrow (LiveProgress fits its line in it).
        return Console.IsErrorRedirected || Console.WindowWidth < 1 ? 80 : Console.WindowWidth;
    }
    catch (Exception e) when (e is IOException or InvalidOperationException or PlatformNotSupportedException)
    {
        return 80;
    }
}

void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    if (interrupt.IsCancellationRequested)
    {
        Exit();
        return;
    }

    // Cancelling runs the command's callbacks; not on the signal thread.
    _ = Task.Run(interrupt.Cancel);
    _ = Task.Delay(grace).ContinueWith(_ => ExitIfStuck(), TaskScheduler.Default);
}

// A command that has written its outcome is ending normally (devnet up flushing its ledgers, say): let it.
void ExitIfStuck()
{
    if (progress.TryFinish())
    {
        progress.ClearStatus();
        stderr.WriteLine($"Error: {progress.InterruptedLine()}");
        Environment.Exit(ExitCodes.Interrupted);
    }
}

void Exit()
{
    if (progress.TryFinish())
    {
        progress.ClearStatus();
        stderr.WriteLine($"Error: {progress.InterruptedLine()}");
    }

    Environment.Exit(ExitCodes.Interrupted);
}
