using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>Signals sent to a real fabinvoke process while it waits for a commit that will not come.</summary>
public sealed class SignalTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public SignalTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Theory]
    [InlineData("SIGINT")]
    [InlineData("SIGTERM")]
    public async Task A_signal_during_the_commit_wait_exits_130_saying_the_transaction_was_sent(string signal)
    {
        _net.Network.Peers[1].Faults.WithholdBlocks = true;
        var args = _net.InvokeArgs("""{"Args":["Put","signal","1"]}""", timeout: "50s");
        using var process = FabinvokeProcess.Start(Path.GetTempPath(), _net.UserEnvironment(), [.. args]);
        await process.WaitForLineAsync("committed with status (VALID)").WaitAsync(CliRun.Bound);

        if (signal == "SIGINT")
        {
            process.Interrupt();
        }
        else
        {
            process.Terminate();
        }

        await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{process.Stderr}");
        Assert.Contains("Error: interrupted while waiting for txid", process.Stderr, StringComparison.Ordinal);
        Assert.Contains("may still commit", process.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// A signal in every phase before the commit wait: each ends the process with 130 and one line whose wording says
    /// whether the transaction was sent — the property a script needs to decide between re-submitting and re-checking.
    /// </summary>
    [Theory]
    [InlineData("endorsing", "SIGINT")]
    [InlineData("connecting deliver", "SIGTERM")]
    [InlineData("broadcasting", "SIGTERM")]
    [InlineData("broadcasting", "SIGINT")]
    public async Task A_signal_in_each_phase_exits_130_with_the_right_sent_wording(string phase, string signal)
    {
        // Each fault holds its phase far longer than the test: only the signal can end it.
        var (reached, expected) = phase switch
        {
            "endorsing" => Hold(() => _net.Network.Peers[1].Faults.EndorsementDelay = TimeSpan.FromMinutes(5), "proposal created",
                "Error: interrupted before the transaction was sent to the orderer"),
            "connecting deliver" => Hold(() => _net.Network.Peers[1].Faults.DeliverDelay = TimeSpan.FromMinutes(5), "endorsed by",
                "Error: interrupted before the transaction was sent to the orderer"),
            _ => Hold(() => _net.Network.Orderer.Faults.BroadcastDelay = TimeSpan.FromMinutes(5), "waiting for its answer",
                "may have been sent to the orderer and may still commit"),
        };
        var env = _net.UserEnvironment();
        env["FABRIC_LOGGING_SPEC"] = "debug";
        using var process = FabinvokeProcess.Start(Path.GetTempPath(), env, [.. _net.InvokeArgs("""{"Args":["Put","signal-phase","1"]}""", timeout: "200s")]);
        await process.WaitForLineAsync(reached).WaitAsync(CliRun.Bound);
        var signalled = System.Diagnostics.Stopwatch.GetTimestamp();

        if (signal == "SIGINT")
        {
            process.Interrupt();
        }
        else
        {
            process.Terminate();
        }

        await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{process.Stderr}");
        var errors = process.Stderr.Split('\n').Where(l => l.StartsWith("Error: ", StringComparison.Ordinal)).ToList();
        Assert.Contains(expected, Assert.Single(errors), StringComparison.Ordinal);
        Assert.DoesNotContain("sent to orderer", process.Stderr, StringComparison.Ordinal);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(signalled) < TimeSpan.FromSeconds(20), "the process outlived the signal by far more than its grace period");
    }

    private static (string Reached, string Expected) Hold(Action fault, string reached, string expected)
    {
        fault();
        return (reached, expected);
    }
}
