using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Discovery;

/// <summary>A network whose channel configuration names an unreachable orderer before the real one.</summary>
public sealed class UnreachableFirstOrdererFixture : NetworkFixture
{
    public string Dead { get; } = ClosedPort.Address();

    protected override DevNetOptions Options(string directory) => new() { Directory = directory, ExtraOrdererAddresses = [Dead] };
}

/// <summary>Shared by the discovery tests: the invoke command line without <c>-o</c> (TLS to the discovered orderers with --cafile).</summary>
internal static class WithoutOrderer
{
    public static List<string> Args(NetworkFixture net, string ctor, IEnumerable<DevPeer>? peers = null, string? channel = null, bool wait = true)
    {
        var args = new List<string> { "chaincode", "invoke", "-C", channel ?? net.Network.ChannelId, "-n", "basic", "-c", ctor };
        foreach (var peer in peers ?? net.Network.Peers)
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        args.AddRange(["--tls", "--cafile", net.Network.Orderer.TlsRootCertFile, "--connTimeout", "2s"]);
        if (wait)
        {
            args.AddRange(["--waitForEvent", "--waitForEventTimeout", "20s"]);
        }

        return args;
    }
}

/// <summary>No <c>-o</c>: the orderers come from the channel configuration DevNet's peers serve through cscc.</summary>
public sealed class OrdererDiscoveryTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public OrdererDiscoveryTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Fact]
    public async Task Without_o_the_orderer_is_found_in_the_channel_configuration_and_the_transaction_commits()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithoutOrderer.Args(_net, """{"Args":["Put","discovered","1"]}"""));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var orderer = _net.Network.Orderer.Address;
        Assert.Contains($"Retrieved channel ({_net.Network.ChannelId}) orderer endpoint: {orderer} (from peer {_net.Network.Peers[0].Address})", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains($"sent to orderer {orderer}", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(_net.Network.Peers.Count, outcome.StderrLines.Count(l => l.Contains("committed with status (VALID)", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_signer_of_another_org_than_the_first_peer_is_answered_by_its_own_orgs_peer()
    {
        // peer0.org1 refuses Org2's channel-less request (local MSP check); peer0.org2, named second, answers it.
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(org: 2), WithoutOrderer.Args(_net, """{"Args":["Put","discovered","2"]}"""));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"orderer endpoint: {_net.Network.Orderer.Address} (from peer {_net.Network.Peers[1].Address})", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_no_peer_given_is_of_the_signers_org_discovery_fails_with_one_line_saying_what_to_do()
    {
        var org1Peer = _net.Network.Peers[0];

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(org: 2), WithoutOrderer.Args(_net, """{"Args":["Put","discovered","3"]}""", [org1Peer]));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        outcome.AssertWellBehaved();
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"peer {org1Peer.Address} refused to read the configuration of channel {_net.Network.ChannelId} for Org2MSP", error, StringComparison.Ordinal);
        Assert.Contains("name a peer of Org2MSP first, or give -o/--orderer", error, StringComparison.Ordinal);
        Assert.Contains("creator org unknown, creator is malformed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("sent to orderer", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_channel_fails_with_the_peers_answer_and_exit_5()
    {
        // No --waitForEvent, so no deliver stream answers NOT_FOUND first: the endorsement and the discovery both refuse (exit 5).
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithoutOrderer.Args(_net, """{"Args":["Put","discovered","4"]}""", channel: "nochannel", wait: false));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        outcome.AssertWellBehaved();
        var error = Assert.Single(outcome.ErrorLines);
        // Whichever refused first (an endorser: "channel 'nochannel' not found"; the discovery: no policy manager) is named.
        Assert.Contains(_net.Network.Peers, p => error.Contains(p.Address, StringComparison.Ordinal));
        Assert.Contains("nochannel", error, StringComparison.Ordinal);
        Assert.DoesNotContain("sent to orderer", outcome.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>The configuration's first orderer is unreachable: discovery's endpoints go through the usual failover.</summary>
public sealed class DiscoveryFailoverTests(UnreachableFirstOrdererFixture net) : IClassFixture<UnreachableFirstOrdererFixture>
{
    [Fact]
    public async Task An_unreachable_first_discovered_orderer_is_skipped_and_the_next_one_orders()
    {
        var outcome = await CliRun.RunAsync(net.UserEnvironment(), WithoutOrderer.Args(net, """{"Args":["Put","failover","1"]}"""));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"orderer endpoint: {net.Dead}, {net.Network.Orderer.Address} (from peer", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains($"sent to orderer {net.Network.Orderer.Address}", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(net.Network.Peers.Count, outcome.StderrLines.Count(l => l.Contains("committed with status (VALID)", StringComparison.Ordinal)));
    }
}
