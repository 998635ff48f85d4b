using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>--waitFor: whose commit reports an invoke waits for (all, any, a peer of each listed organisation).</summary>
public sealed class CommitPolicyTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public CommitPolicyTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private List<string> Args(string waitFor, string timeout = "20s")
    {
        var args = _net.InvokeArgs("""{"Args":["Put","policy","v"]}""", timeout: timeout);
        args.AddRange(["--waitFor", waitFor]);
        return args;
    }

    [Theory]
    [InlineData("any")]
    [InlineData("org:Org1MSP")]
    public async Task A_silent_peer_outside_the_policy_is_not_waited_for(string waitFor)
    {
        // Peers[1] (Org2MSP) never delivers the block: with "all" this would be a commit timeout.
        _net.Network.Peers[1].Faults.WithholdBlocks = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args(waitFor));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"committed with status (VALID) at {_net.Network.Peers[0].Address}", outcome.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain($"at {_net.Network.Peers[1].Address}", outcome.Stderr, StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(15), outcome.ToString());
    }

    [Fact]
    public async Task With_all_the_same_silent_peer_is_a_commit_timeout_naming_it()
    {
        _net.Network.Peers[1].Faults.WithholdBlocks = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("all", timeout: "3s"));

        Assert.True(outcome.ExitCode == 8, outcome.ToString());
        Assert.Contains($"on peers {_net.Network.Peers[1].Address};", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_organisation_policy_waits_for_that_organisations_peer()
    {
        _net.Network.Peers[1].Faults.WithholdBlocks = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("org:Org2MSP", timeout: "3s"));

        Assert.True(outcome.ExitCode == 8, outcome.ToString());
        Assert.Contains($"on peers {_net.Network.Peers[1].Address};", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalidation_seen_before_the_policy_is_met_still_fails()
    {
        _net.Network.Peers[0].Faults.ForceValidationCode = FabricInvoke.Protos.Peer.TxValidationCode.MvccReadConflict;
        _net.Network.Peers[1].Faults.WithholdBlocks = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("any"));

        Assert.True(outcome.ExitCode == 7, outcome.ToString());
        Assert.Contains("MVCC_READ_CONFLICT", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_whose_stream_breaks_does_not_fail_an_any_policy_the_other_meets()
    {
        _net.Network.Peers[1].Faults.DropDeliverAfterFirstBlock = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("any"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
    }

    [Fact]
    public async Task An_organisation_no_given_peer_belongs_to_is_refused_before_ordering()
    {
        var height = _net.Network.Orderer.Height;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("org:Org9MSP"));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains("--waitFor org:Org9MSP names Org9MSP, but none of the peers given", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("= Org1MSP", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal(height, _net.Network.Orderer.Height);
    }

    [Theory]
    [InlineData("some")]
    [InlineData("org:")]
    public async Task A_malformed_policy_is_a_usage_error(string waitFor)
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args(waitFor));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains("--waitFor", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }
}
