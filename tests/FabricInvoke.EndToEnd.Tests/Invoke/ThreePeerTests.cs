using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>Faults on a three-org network: one silent, one refusing, all invalidating.</summary>
public sealed class ThreePeerTests : IClassFixture<ThreeOrgNetworkFixture>
{
    private readonly ThreeOrgNetworkFixture _net;

    public ThreePeerTests(ThreeOrgNetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Fact]
    public async Task Commit_timeout_on_one_of_three_peers_exits_8_naming_only_that_peer()
    {
        _net.Network.Peers[2].Faults.WithholdBlocks = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","three","1"]}""", timeout: "4s"));

        Assert.True(outcome.ExitCode == 8, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"on peers {_net.Network.Peers[2].Address};", error, StringComparison.Ordinal);
        Assert.DoesNotContain(_net.Network.Peers[0].Address, error, StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(4 + 15), outcome.ToString());
    }

    [Fact]
    public async Task Invalidated_on_every_peer_exits_7_at_the_first_report()
    {
        foreach (var peer in _net.Network.Peers)
        {
            peer.Faults.ForceValidationCode = TxValidationCode.EndorsementPolicyFailure;
        }

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","three","2"]}"""));

        Assert.True(outcome.ExitCode == 7, outcome.ToString());
        Assert.Contains("invalidated with status (ENDORSEMENT_POLICY_FAILURE) at 127.0.0.1:", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliver_NOT_FOUND_from_one_peer_exits_9_before_the_broadcast()
    {
        _net.Network.Peers[1].Faults.DeliverStatus = Status.NotFound;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","three","3"]}"""));

        Assert.True(outcome.ExitCode == 9, outcome.ToString());
        Assert.Contains($"deliver from {_net.Network.Peers[1].Address} failed: deliver completed with status (NOT_FOUND)", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("sent to orderer", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endorsement_slower_than_requestTimeout_exits_5_naming_the_peer_within_the_bound()
    {
        _net.Network.Peers[2].Faults.EndorsementDelay = TimeSpan.FromSeconds(30);
        var args = _net.InvokeArgs("""{"Args":["Put","three","4"]}""");
        // Long enough for the healthy peers' first endorsement on a loaded machine.
        args.AddRange(["--requestTimeout", "3s"]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        Assert.Contains($"at peer {_net.Network.Peers[2].Address}: no response within 3s (requestTimeout)", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(3 + 10), outcome.ToString());
    }
}
