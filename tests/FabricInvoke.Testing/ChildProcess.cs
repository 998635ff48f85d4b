using System.Diagnostics;
using Xunit;

namespace FabricInvoke.Testing;

/// <summary>What a program the tests ran as a process of its own printed, and how long it took.</summary>
public sealed record ChildOutcome(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

/// <summary>
/// Programs the tests run as processes of their own (dotnet builds and packs, <c>dotnet tool install</c>, the packed
/// tool and library's consumers). This file is also compiled into tests/FabricInvoke.Package.Tests, which references
/// no project of the solution but DevNet (it tests the library as a package), so it uses nothing but the BCL and
/// xunit's Assert.
/// </summary>
public static class ChildProcess
{
    /// <summary>
    /// A start of <paramref name="file"/> with <paramref name="args"/> in <paramref name="workingDirectory"/> (this
    /// process's when null), the three streams redirected, and no CORE_*/FABRIC_* variable of this machine (no peer CLI
    /// setting leaks in).
    /// </summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        WithoutPeerSettings(info);
        return info;
    }

    /// <summary>
    /// Removes every CORE_*/FABRIC_* variable of this machine from <paramref name="info"/>'s environment (no peer CLI
    /// setting leaks into the child), and the variables named in <paramref name="alsoRemove"/>.
    /// </summary>
    public static void WithoutPeerSettings(ProcessStartInfo info, params string[] alsoRemove)
    {
        ArgumentNullException.ThrowIfNull(info);
        foreach (var key in info.Environment.Keys
            .Where(k => k.StartsWith("CORE_", StringComparison.Ordinal) || k.StartsWith("FABRIC_", StringComparison.Ordinal) || alsoRemove.Contains(k))
            .ToList())
        {
            info.Environment.Remove(key);
        }
    }

    /// <summary>
    /// Runs <paramref name="info"/> to its end with stdin closed, within <paramref name="bound"/>: past it, the process
    /// tree is killed and the test fails with what it printed so far.
    /// </summary>
    public static async Task<ChildOutcome> RunAsync(ProcessStartInfo info, TimeSpan bound)
    {
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start");
        process.StandardInput.Close();
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        try
        {
            await process.WaitForExitAsync().WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var partial = await output;
            Assert.Fail($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not end within {bound.TotalMinutes} min\n--- stdout\n{partial[0]}\n--- stderr\n{partial[1]}");
        }

        var streams = await output.WaitAsync(bound);
        return new ChildOutcome(process.ExitCode, streams[0], streams[1], Stopwatch.GetElapsedTime(started));
    }
}
