using System.Diagnostics;
using FabricInvoke.Cli;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace FabricInvoke.Testing;

/// <summary>Runs the real CLI code (the same entry point as the fabinvoke binary) in-process with a given environment.</summary>
public static class CliRun
{
    /// <summary>Default bound on any one command, so a hang fails the test instead of blocking the suite.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <param name="onLine">Called with each stderr line as it is written (e.g. to press Ctrl-C at a given moment).</param>
    /// <param name="bound">How long the command may take before the test fails as hung.</param>
    public static async Task<CliOutcome> RunAsync(
        IReadOnlyDictionary<string, string?> environment,
        IEnumerable<string> args,
        CancellationToken cancellationToken = default,
        Action<string>? onLine = null,
        TimeSpan? bound = null)
    {
        var argv = args.ToArray();
        var env = new ConfigurationBuilder().AddInMemoryCollection(environment).Build();
        using var stdout = new StringWriter();
        using var stderr = new LineWatchingWriter(onLine);
        var context = new CliContext(env, TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr));
        var started = Stopwatch.GetTimestamp();
        int code;
        try
        {
            code = await FabInvokeApp.RunAsync(argv, context, cancellationToken).WaitAsync(bound ?? Bound, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"fabinvoke {string.Join(' ', argv)} did not end within {(bound ?? Bound).TotalSeconds}s\n--- stderr so far\n{stderr}");
            throw;
        }

        return new CliOutcome(code, stdout.ToString(), stderr.ToString(), Stopwatch.GetElapsedTime(started));
    }

    /// <summary>A StringWriter that reports each completed line.</summary>
    private sealed class LineWatchingWriter(Action<string>? onLine) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            onLine?.Invoke(value ?? "");
        }
    }
}
