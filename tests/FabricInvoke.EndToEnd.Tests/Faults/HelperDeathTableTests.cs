using System.Diagnostics;
using FabricInvoke.EndToEnd.Tests.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Faults;

/// <summary>
/// The fault table's DevNet rows (issue 22 item 5): the helper process, fabinvoke-devnet, dies at each phase of an
/// invoke — before its network is ready, during the endorsement, after the broadcast while the invoke waits for the
/// commit. Each phase runs 10 times at once (each run its own DevNet folder and helper) and must give one documented
/// exit code, one <c>Error:</c> line and no hang. README "Exit codes" lists what this class proves.
/// </summary>
public sealed class HelperDeathTableTests : IDisposable
{
    private const int Runs = 10;
    private readonly string _work = Directory.CreateTempSubdirectory("fabinvoke-helper-death-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public async Task A_helper_that_dies_before_its_network_is_ready_is_exit_3_on_every_run()
    {
        // This build of fabinvoke beside a "helper" that dotnet refuses at once: it exits before saying ready.
        var bin = Directory.CreateDirectory(Path.Combine(_work, "bin-dying")).FullName;
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
        {
            File.Copy(file, Path.Combine(bin, Path.GetFileName(file)));
        }

        Directory.CreateDirectory(Path.Combine(bin, "devnet"));
        File.WriteAllText(Path.Combine(bin, "devnet", "fabinvoke-devnet.dll"), "not a program");

        var runs = await Task.WhenAll(Enumerable.Range(0, Runs).Select(i => FabinvokeProcess.RunFromAsync(Path.Combine(bin, "fabinvoke.dll"), _work, null,
            ["chaincode", "invoke", "--devnet", Path.Combine(_work, $"dying-{i}"), "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", "--waitForEvent"])));

        foreach (var outcome in runs)
        {
            Assert.True(outcome.ExitCode == 3, outcome.ToString());
            outcome.AssertWellBehaved();
            Assert.Contains("fabinvoke-devnet exited with code", outcome.ErrorLines[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_helper_killed_during_the_endorsement_is_exit_4_on_every_run()
    {
        // The chaincode sleeps 3 s in the endorsement; the helper dies once every invoke has created its proposal.
        var runs = await KillHelperUnderInvokesAsync("endorse", """{"Args":["Sleep","3000"]}""", "proposal created");

        foreach (var outcome in runs)
        {
            Assert.True(outcome.ExitCode == 4, outcome.ToString());
            outcome.AssertWellBehaved();
            Assert.Contains("127.0.0.1:", outcome.ErrorLines[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_helper_killed_while_the_invokes_wait_for_the_commit_is_exit_9_on_every_run()
    {
        // The orderer (batch timeout 1h) accepted every transaction and cuts no block: each invoke waits for its commit.
        var runs = await KillHelperUnderInvokesAsync("commit", """{"Args":["Put","k","v"]}""", "sent to orderer");

        foreach (var outcome in runs)
        {
            Assert.True(outcome.ExitCode == 9, outcome.ToString());
            outcome.AssertWellBehaved();
            Assert.Contains("127.0.0.1:", outcome.ErrorLines[0], StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Starts <c>devnet up --batch-timeout 1h</c>, runs 10 invokes at once attached to it (<c>--devnet</c>), and kills
    /// its helper once every invoke has written a line containing <paramref name="phaseLine"/>.
    /// </summary>
    private async Task<CliOutcome[]> KillHelperUnderInvokesAsync(string name, string ctor, string phaseLine)
    {
        var dir = Path.Combine(_work, name);
        using var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir, "--batch-timeout", "1h");
        try
        {
            await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);
            var helper = DevNetFolders.OwnerPid(up.Stdout);
            var reached = 0;
            var env = new Dictionary<string, string?> { ["FABRIC_LOGGING_SPEC"] = "debug" };
            return await Task.WhenAll(Enumerable.Range(0, Runs).Select(i =>
            {
                var seen = 0;
                return CliRun.RunAsync(env,
                    ["chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", ctor.Replace("\"k\"", $"\"k{i}\"", StringComparison.Ordinal),
                        "--waitForEvent", "--waitForEventTimeout", "30s", "--connTimeout", "10s"],
                    onLine: line =>
                    {
                        if (line.Contains(phaseLine, StringComparison.Ordinal) && Interlocked.Exchange(ref seen, 1) == 0
                            && Interlocked.Increment(ref reached) == Runs)
                        {
                            using var process = Process.GetProcessById(helper);
                            process.Kill();
                        }
                    });
            }));
        }
        finally
        {
            up.Kill();
        }
    }
}
