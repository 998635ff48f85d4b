using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>
/// <c>fabinvoke doctor --gateway</c> on a live channel whose anchor peers were removed by a configuration update (and
/// the network restarted, so that gossip forgot the other org's peer): under the default MAJORITY policy of two orgs
/// the Gateway on Org1's peer can find no peer of Org2MSP. Doctor's first ✘ names the missing anchor peers and the fix,
/// and exits as <c>fabinvoke chaincode invoke --gateway</c> with the same settings does (both are run).
/// </summary>
public abstract class DoctorAnchorPeerTests(RealNetwork network)
{
    private const string Ctor = """{"Args":["Put","doctor-anchors","v"]}""";

    /// <summary>The README's invoke through Org1's peer's Gateway: one peer, no -o, --gateway.</summary>
    private List<string> GatewayFlags()
    {
        var args = network.InvokeArgs(Ctor).Skip(2).ToList();
        args.RemoveRange(args.LastIndexOf("--peerAddresses"), 4);
        args.RemoveRange(args.IndexOf("-o"), 2);
        return [.. args, "--gateway"];
    }

    [RealFabricFact]
    public async Task The_channel_configuration_has_no_anchor_peers()
    {
        var config = await network.FetchConfig();

        var application = config.ChannelGroup.Groups["Application"];
        Assert.All(RealNetwork.ApplicationOrgs, org => Assert.False(application.Groups[org].Values.ContainsKey("AnchorPeers"), org));
        Assert.All(RealNetwork.ApplicationOrgs, org => Assert.True(application.Groups[org].Values.ContainsKey("MSP"), org));
    }

    [RealFabricFact]
    public async Task Through_the_gateway_doctor_names_the_missing_anchor_peers_and_exits_as_the_invoke()
    {
        var flags = GatewayFlags();

        var doctor = await network.Fabinvoke(["doctor", .. flags]);
        DoctorTimes.Record(network, nameof(Through_the_gateway_doctor_names_the_missing_anchor_peers_and_exits_as_the_invoke), doctor);
        var invoke = await network.Fabinvoke(["chaincode", "invoke", .. flags]);

        doctor.AssertWellBehaved();
        // Real Fabric's Gateway refuses before endorsing (FAILED_PRECONDITION): an endorsement failure, exit 5.
        Assert.True(invoke.ExitCode == 5, $"the invoke through the Gateway\n{invoke}");
        Assert.Contains("no combination of peers can be derived which satisfy the endorsement policy", invoke.Stderr, StringComparison.Ordinal);
        Assert.True(doctor.ExitCode == invoke.ExitCode, $"doctor exit {doctor.ExitCode}, invoke exit {invoke.ExitCode}\n--- doctor\n{doctor}\n--- invoke\n{invoke}");
        var first = doctor.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith('✘')) ?? throw new Xunit.Sdk.XunitException($"no ✘ line\n{doctor}");
        Assert.True(first.StartsWith($"✘ gateway {network.Org1PeerAddress}: the Gateway cannot reach the endorsers the policy of basic needs", StringComparison.Ordinal), first);
        Assert.Contains("can find only peers of Org1MSP: anchor peers: Org2MSP: none", first, StringComparison.Ordinal);
        Assert.Contains("; fix: add anchor peers for Org2MSP to the channel configuration", first, StringComparison.Ordinal);
    }
}

[Collection("fabric-2.4.9-no-anchor-peers")]
public sealed class DoctorAnchorPeerTests249(Fabric249WithoutAnchorPeers network) : DoctorAnchorPeerTests(network);

[Collection("fabric-3.0.0-no-anchor-peers")]
public sealed class DoctorAnchorPeerTests300(Fabric300WithoutAnchorPeers network) : DoctorAnchorPeerTests(network);
