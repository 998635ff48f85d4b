using System.Diagnostics;
using FabricInvoke.Testing;
namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>Runs a program to completion (bounded) with a given environment and returns what a user sees.</summary>
public static class ProcessRun
{
    /// <summary>The built fabinvoke (the Cli this project references, copied beside the tests with its devnet/ folder).</summary>
    public static string FabinvokeDll { get; } = Path.Combine(AppContext.BaseDirectory, "fabinvoke.dll");

    /// <summary>
    /// A fabinvoke executable to run instead of <c>dotnet fabinvoke.dll</c> (a native AOT build, say), from
    /// <c>FABINVOKE_REALFABRIC_EXE</c>; null (the default) runs the built dll. bench/doctor.sh sets it with EXE=.
    /// </summary>
    public static string? FabinvokeExe { get; } = Environment.GetEnvironmentVariable("FABINVOKE_REALFABRIC_EXE") is { Length: > 0 } exe ? exe : null;

    /// <summary>Runs fabinvoke (<see cref="FabinvokeExe"/>, else <c>dotnet fabinvoke.dll</c>) with <paramref name="args"/>.</summary>
    public static Task<CliOutcome> RunFabinvokeAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment, TimeSpan bound) =>
        FabinvokeExe is { } exe ? RunAsync(exe, args, environment, bound) : RunAsync("dotnet", [FabinvokeDll, .. args], environment, bound);

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/>. The child starts from this process's environment without any
    /// CORE_*/FABRIC_* variable, then gets <paramref name="environment"/> (a null value removes a variable).
    /// </summary>
    public static async Task<CliOutcome> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment,
        TimeSpan bound, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        ChildProcess.WithoutPeerSettings(info);

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{Path.GetFileName(file)} {string.Join(' ', args)} did not end within {bound.TotalSeconds}s\n--- stderr\n{await stderr}");
            throw;
        }

        return new CliOutcome(process.ExitCode, (await stdout).TrimEnd('\n'), (await stderr).TrimEnd('\n'), Stopwatch.GetElapsedTime(started));
    }
}
