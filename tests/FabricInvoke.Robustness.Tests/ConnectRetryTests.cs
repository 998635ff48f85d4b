using System.Globalization;
using FabricInvoke.Robustness.Tests.Infrastructure;

namespace FabricInvoke.Robustness.Tests;

/// <summary>A node that is not up yet, but comes up within --connTimeout, is reached by the retries.</summary>
public sealed class ConnectRetryTests
{
    [Fact]
    public async Task An_orderer_that_starts_while_the_client_retries_orders_the_transaction()
    {
        await using var peer = await RawPeer.StartAsync();
        using var msp = new TempMsp();
        var ordererAddress = ClosedPort.Address();
        var ordererPort = int.Parse(ordererAddress[(ordererAddress.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string?>
        {
            ["CORE_PEER_LOCALMSPID"] = Fixtures.MspId,
            ["CORE_PEER_MSPCONFIGPATH"] = msp.Path,
            ["FABRIC_LOGGING_SPEC"] = "debug",
        };
        string[] args =
        [
            "chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""",
            "--peerAddresses", peer.Address, "-o", ordererAddress, "--connTimeout", "20s",
        ];
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = CliRun.RunAsync(env, args, onLine: line =>
        {
            if (line.Contains($"cannot reach orderer {ordererAddress} yet (connection refused); retrying in", StringComparison.Ordinal))
            {
                retrying.TrySetResult();
            }
        });

        // Only once the client has been refused at least once does the orderer come up on that address.
        await retrying.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using var orderer = await RawPeer.StartAsync(ordererPort);
        var outcome = await run;

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains($"sent to orderer {ordererAddress}", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_that_never_comes_up_is_given_up_after_connTimeout_with_exit_4()
    {
        using var msp = new TempMsp();
        var dead = ClosedPort.Address();
        var env = new Dictionary<string, string?>
        {
            ["CORE_PEER_LOCALMSPID"] = Fixtures.MspId,
            ["CORE_PEER_MSPCONFIGPATH"] = msp.Path,
            ["FABRIC_LOGGING_SPEC"] = "debug",
        };

        var outcome = await CliRun.RunAsync(env,
        [
            "chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""",
            "--peerAddresses", dead, "-o", ClosedPort.Address(), "--connTimeout", "1s",
        ]);

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.True(outcome.StderrLines.Count(l => l.Contains($"cannot reach peer {dead} yet", StringComparison.Ordinal)) >= 2, outcome.ToString());
        Assert.True(outcome.Elapsed >= TimeSpan.FromSeconds(0.5) && outcome.Elapsed < TimeSpan.FromSeconds(1 + 10), outcome.ToString());
    }
}
