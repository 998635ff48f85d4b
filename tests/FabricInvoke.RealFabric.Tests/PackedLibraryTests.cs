using FabricInvoke.Package.Tests;
using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>
/// The packed FabricInvoke.Core package on real Fabric 2.4.9: the same consumer program and sample service, and the
/// same checks, as tests/FabricInvoke.Package.Tests runs on DevNet (its Infrastructure/ is linked into this project),
/// with Org1's User1 and the TLS roots from the network's folder. The feed: FABINVOKE_LIBRARY_FEED, else packed once
/// by this test process.
/// </summary>
[Collection("fabric-2.4.9")]
public sealed class PackedLibraryTests249(Fabric249 network) : IClassFixture<PackedLibraryWork>
{
    private FabricTarget Target => new(RealNetwork.ChannelId, RealNetwork.Chaincode, network.Env["CORE_PEER_LOCALMSPID"]!, network.IdentityMsp(1),
        [new FabricNode(network.Org1PeerAddress, network.Org1PeerCa), new FabricNode(network.Org2PeerAddress, network.Org2PeerCa)],
        [new FabricNode(network.OrdererAddress, network.OrdererCa)]);

    [RealFabricTheory]
    [InlineData("Direct")]
    [InlineData("Gateway")]
    public Task A_consumer_of_the_packed_library_submits_evaluates_and_follows_chaincode_and_block_events_from_checkpoints(string path) =>
        PackedLibraryChecks.ConsumerSubmitsEvaluatesAndFollowsEvents(Target, path);

    [RealFabricTheory]
    [InlineData("Direct")]
    [InlineData("Gateway")]
    public Task The_sample_built_from_the_package_submits_evaluates_and_streams_events_over_http(string path) =>
        PackedLibraryChecks.SampleServesSubmitEvaluateAndEvents(Target, path);
}
