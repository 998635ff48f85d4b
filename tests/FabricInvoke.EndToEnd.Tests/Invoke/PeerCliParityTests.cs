using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Protos.Common;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>
/// Where fabinvoke must end as the Go peer CLI does on real Fabric (issue 21, checked side by side on Fabric 2.4.9):
/// the --waitForEventTimeout clock starts when the endorsements are in, and one fault gives one exit code whichever
/// node notices it first — before the broadcast, the endorsement's outcome decides.
/// </summary>
public sealed class PeerCliParityTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public PeerCliParityTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Fact]
    public async Task A_chaincode_slower_than_the_wait_timeout_still_commits_VALID_and_exits_0_as_with_the_peer_CLI()
    {
        // The chaincode runs 4 s, the commit wait may take 3 s: the peer CLI starts that clock after endorsement.
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Sleep","4000"]}""", timeout: "3s"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        foreach (var peer in _net.Network.Peers)
        {
            Assert.Contains($"committed with status (VALID) at {peer.Address}", outcome.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Through_the_gateway_a_chaincode_slower_than_the_wait_timeout_still_commits_VALID_and_exits_0()
    {
        var peer = _net.Network.Peers[0];
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(),
        [
            "chaincode", "invoke", "--gateway", "-C", _net.Network.ChannelId, "-n", "basic", "-c", """{"Args":["Sleep","4000"]}""",
            "--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile, "--waitForEvent", "--waitForEventTimeout", "3s",
        ]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"committed with status (VALID) at {peer.Address}", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wait_timeout_still_bounds_the_commit_wait_after_a_slow_endorsement()
    {
        foreach (var peer in _net.Network.Peers)
        {
            peer.Faults.WithholdBlocks = true;
        }

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Sleep","1000"]}""", timeout: "1s"));

        Assert.True(outcome.ExitCode == 8, outcome.ToString());
        Assert.Contains("may still commit", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deliver_refusal_seen_before_a_failed_endorsement_still_exits_5_with_the_endorsement_failure()
    {
        // The deliver stream refuses at once; the endorser refuses a second later. The endorsement decides.
        _net.Network.Peers[0].Faults.DeliverStatus = Status.Forbidden;
        _net.Network.Peers[1].Faults.EndorsementDelay = TimeSpan.FromSeconds(1);
        _net.Network.Peers[1].Faults.EndorsementStatus = (500, "refused after a while");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","race","1"]}"""));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"endorsement failure during invoke at peer {_net.Network.Peers[1].Address}", error, StringComparison.Ordinal);
        Assert.Contains("refused after a while", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_endorsement_seen_before_a_deliver_refusal_exits_5_with_the_endorsement_failure()
    {
        // The other way round: the endorser refuses at once, the deliver stream a second later.
        _net.Network.Peers[0].Faults.DeliverDelay = TimeSpan.FromSeconds(1);
        _net.Network.Peers[0].Faults.DeliverStatus = Status.Forbidden;
        _net.Network.Peers[1].Faults.EndorsementStatus = (500, "refused at once");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","race","2"]}"""));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        Assert.Contains("refused at once", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deliver_refusal_with_a_successful_endorsement_exits_9_and_nothing_is_sent()
    {
        _net.Network.Peers[1].Faults.DeliverStatus = Status.Forbidden;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","race","3"]}"""));

        Assert.True(outcome.ExitCode == 9, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"deliver from {_net.Network.Peers[1].Address} failed: deliver completed with status (FORBIDDEN)", error, StringComparison.Ordinal);
        Assert.Contains("the transaction was not sent to the orderer", error, StringComparison.Ordinal);
        Assert.DoesNotContain("sent to orderer 127", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_MSP_id_exits_5_on_every_run_as_the_peer_CLIs_endorsement_error()
    {
        var env = _net.UserEnvironment();
        env["CORE_PEER_LOCALMSPID"] = _net.Network.User(2).MspId;

        for (var run = 0; run < 3; run++)
        {
            var outcome = await CliRun.RunAsync(env, _net.InvokeArgs("""{"Args":["Put","msp","1"]}"""));

            Assert.True(outcome.ExitCode == 5, outcome.ToString());
            Assert.Contains("endorsement failure during invoke at peer", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unknown_channel_exits_5_with_the_peers_channel_not_found_as_on_real_Fabric()
    {
        var args = _net.InvokeArgs("""{"Args":["Put","k","v"]}""");
        args[args.IndexOf("-C") + 1] = "nochannel";

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        Assert.Contains("channel 'nochannel' not found", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }
}
