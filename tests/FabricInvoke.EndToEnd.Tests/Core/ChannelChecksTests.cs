using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics.Doctor;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Core;

/// <summary>
/// The doctor's channel, chaincode, policy and gateway checks (Core's <see cref="ChannelChecks"/>) over TLS against
/// DevNet: a healthy setup passes, and each broken one fails first at the right check, with the failure class the
/// invoke would have had. The CLI's <c>fabinvoke doctor</c> runs these after its identity and node checks.
/// </summary>
public sealed class ChannelChecksTests : IClassFixture<NetworkFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly NetworkFixture _net;

    public ChannelChecksTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private ChaincodeCmdFactory Connect(DevIdentity? identity = null, int peers = 2, bool discoverOrderers = false, string? mspId = null)
    {
        var user = identity ?? _net.Network.User(1);
        var signer = MspFolder.Load(user.MspDirectory, mspId ?? user.MspId);
        return ChaincodeCmdFactory.Create(new ConnectionSettings
        {
            Peers = _net.Network.Peers.Take(peers).Select(p => new NodeEndpoint(Endpoint.Parse(p.Address, "peer"), p.TlsRootCertFile, null)).ToList(),
            Orderers = discoverOrderers ? [] : [new NodeEndpoint(Endpoint.Parse(_net.Network.Orderer.Address, "orderer"), _net.Network.Orderer.TlsRootCertFile, null)],
            DiscoveredOrderers = discoverOrderers ? new DiscoveredOrderers(_net.Network.Orderer.TlsRootCertFile, null) : null,
            PeerTransport = new TransportSettings(TimeSpan.FromSeconds(3), null),
        }, signer);
    }

    private Task<IReadOnlyList<DoctorCheck>> Run(ChaincodeCmdFactory connections, string? channel = null, string chaincode = "basic", bool init = false, bool gateway = false) =>
        ChannelChecks.RunAsync(
            new DoctorContext(connections, channel ?? _net.Network.ChannelId, chaincode, init, gateway, [], TimeSpan.FromSeconds(10), TimeProvider.System),
            CancellationToken.None).WaitAsync(Bound);

    private static DoctorCheck FirstFail(IReadOnlyList<DoctorCheck> checks) =>
        checks.FirstOrDefault(c => c.Outcome == CheckOutcome.Fail) ?? throw new Xunit.Sdk.XunitException($"no failing check in\n{Dump(checks)}");

    private static string Dump(IReadOnlyList<DoctorCheck> checks) =>
        string.Join('\n', checks.Select(c => $"{c.Outcome} {c.Area} {c.Subject}: {c.Summary} — {c.Reason}; fix: {c.Fix} [{c.Kind}]"));

    [Fact]
    public async Task A_healthy_setup_passes_every_check_and_names_what_it_found()
    {
        using var connections = Connect();

        var checks = await Run(connections);

        Assert.True(checks.All(c => c.Outcome == CheckOutcome.Pass), Dump(checks));
        Assert.Equal(2, checks.Count(c => c.Area == "channel" && c.Summary.StartsWith($"channel {_net.Network.ChannelId} found", StringComparison.Ordinal)));
        Assert.Contains(checks, c => c.Area == "channel" && c.Summary.Contains("Org1MSP is a member of channel", StringComparison.Ordinal) && c.Summary.Contains("chains to the root of Org1MSP", StringComparison.Ordinal));
        Assert.Contains(checks, c => c.Area == "channel" && c.Summary.Contains("orders with etcdraft", StringComparison.Ordinal) && c.Summary.Contains(_net.Network.Orderer.Address, StringComparison.Ordinal));
        Assert.Contains(checks, c => c.Area == "chaincode" && c.Summary == $"defined on channel {_net.Network.ChannelId}: version 1.0, sequence 1, no init required");
        Assert.Contains(checks, c => c.Area == "policy" && c.Summary.Contains("MAJORITY Endorsement of Org1MSP, Org2MSP (2 of 2)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_orgs_peer_under_MAJORITY_fails_the_policy_naming_the_missing_org_as_the_invoke_would_be_invalidated()
    {
        using var connections = Connect(peers: 1);
        var peer = _net.Network.Peers[0];

        var fail = FirstFail(await Run(connections));

        Assert.Equal("policy", fail.Area);
        Assert.Equal(FailureKind.Invalidated, fail.Kind);
        Assert.Contains($"needs Org1MSP and Org2MSP; you gave only Org1MSP's peer {peer.Address}", fail.Reason, StringComparison.Ordinal);
        Assert.Contains("add a peer of Org2MSP", fail.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_that_does_not_answer_leaves_the_policy_unweighed_rather_than_failed()
    {
        using var connections = Connect();
        await _net.Network.Peers[0].StopAsync();
        try
        {
            var checks = await Run(connections);

            Assert.DoesNotContain(checks, c => c.Outcome == CheckOutcome.Fail);
            Assert.Contains(checks, c => c.Area == "channel" && c.Subject == _net.Network.Peers[0].Address && c.Outcome == CheckOutcome.Skipped);
            var policy = Assert.Single(checks, c => c.Area == "policy");
            Assert.Equal(CheckOutcome.Skipped, policy.Outcome);
            Assert.EndsWith($"not weighed: the organisation of {_net.Network.Peers[0].Address} is unknown (no answer)", policy.Summary, StringComparison.Ordinal);
        }
        finally
        {
            await _net.Network.Peers[0].StartAsync().WaitAsync(Bound);
        }
    }

    [Fact]
    public async Task An_unknown_chaincode_fails_as_an_endorsement_naming_it()
    {
        using var connections = Connect();

        var fail = FirstFail(await Run(connections, chaincode: "basci"));

        Assert.Equal(("chaincode", FailureKind.Endorsement), (fail.Area, fail.Kind));
        Assert.Contains("namespace basci is not defined", fail.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_channel_fails_on_each_peer()
    {
        using var connections = Connect();

        var checks = await Run(connections, channel: "nochannel");

        var fail = FirstFail(checks);
        Assert.Equal(("channel", FailureKind.Endorsement), (fail.Area, fail.Kind));
        Assert.Equal("channel nochannel not found", fail.Summary);
        Assert.Equal(_net.Network.Peers[0].Address, fail.Subject);
        Assert.DoesNotContain(checks, c => c.Area is "chaincode" or "policy");
    }

    [Fact]
    public async Task An_identity_of_an_org_outside_the_channel_is_refused_with_the_issuer_named()
    {
        var foreign = _net.Network.CreateForeignIdentity();
        using var connections = Connect(foreign);

        var fail = FirstFail(await Run(connections));

        Assert.Equal(("channel", FailureKind.Endorsement), (fail.Area, fail.Kind));
        Assert.Contains($"{foreign.MspId} is not accepted on channel", fail.Summary, StringComparison.Ordinal);
        Assert.Contains("creator org unknown", fail.Reason, StringComparison.Ordinal);
        Assert.Contains("issued by", fail.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_init_invocation_of_a_chaincode_that_needs_none_fails_as_the_peer_would()
    {
        using var connections = Connect();

        var fail = FirstFail(await Run(connections, init: true));

        Assert.Equal(("chaincode", FailureKind.Endorsement), (fail.Area, fail.Kind));
        Assert.Contains("does not require initialization but called as init", fail.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_a_gateway_the_service_answers_and_the_other_orgs_anchor_peers_are_named()
    {
        using var connections = Connect(peers: 1);

        var checks = await Run(connections, gateway: true);

        Assert.True(checks.All(c => c.Outcome == CheckOutcome.Pass), Dump(checks));
        Assert.Contains(checks, c => c.Area == "gateway" && c.Summary == "Gateway service enabled");
        Assert.Contains(checks, c => c.Area == "gateway" && c.Summary.StartsWith("anchor peers of the other organisations: Org2MSP: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stopped_orderer_that_would_be_discovered_fails_as_a_connection_naming_it()
    {
        using var connections = Connect(discoverOrderers: true);
        await _net.Network.Orderer.StopAsync();
        try
        {
            var fail = FirstFail(await Run(connections));

            Assert.Equal(("channel", FailureKind.Connection), (fail.Area, fail.Kind));
            Assert.Contains($"orderer {_net.Network.Orderer.Address} (from the channel configuration): connection refused", fail.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await _net.Network.Orderer.StartAsync().WaitAsync(Bound);
        }
    }
}
