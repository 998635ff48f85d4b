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
}
