using System.Diagnostics;
using FabricInvoke.Cli;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.EndToEnd.Tests.Infrastructure;

/// <summary>What a user sees after one fabinvoke command: exit code, stdout, stderr, wall time.</summary>
public sealed record CliOutcome(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalMilliseconds:0}ms\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

    /// <summary>The lines starting with "Error: ".</summary>
    public IReadOnlyList<string> ErrorLines =>
        Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("Error: ", StringComparison.Ordinal)).ToList();
}

/// <summary>Runs the real CLI code (the same entry point as the fabinvoke binary) in-process with a given environment.</summary>
public static class CliRun
{
    /// <summary>Default bound on any one command in tests, so a hang fails instead of blocking the suite.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <param name="onLine">Called with each stderr line as it is written (e.g. to press Ctrl-C at a given moment).</param>
    public static async Task<CliOutcome> RunAsync(
        IReadOnlyDictionary<string, string?> environment, IEnumerable<string> args, CancellationToken cancellationToken = default, Action<string>? onLine = null)
    {
        var env = new ConfigurationBuilder().AddInMemoryCollection(environment).Build();
        using var stdout = new StringWriter();
        using var stderr = new LineWatchingWriter(onLine);
        var context = new CliContext(env, TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr));
        var started = Stopwatch.GetTimestamp();
        var code = await FabInvokeApp.RunAsync(args.ToArray(), context, cancellationToken).WaitAsync(Bound, CancellationToken.None);
        return new CliOutcome(code, stdout.ToString(), stderr.ToString(), Stopwatch.GetElapsedTime(started));
    }
}

/// <summary>A StringWriter that reports each completed line.</summary>
internal sealed class LineWatchingWriter(Action<string>? onLine) : StringWriter
{
    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        onLine?.Invoke(value ?? "");
    }
}
