using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Msp;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using Grpc.Core;
using Metadata = FabricInvoke.Protos.Common.Metadata;

namespace FabricInvoke.DevNet.Tests;

/// <summary>Batch size 7, batch timeout 250 ms and an extra orderer endpoint named before the real one.</summary>
public sealed class ConfiguredDevNetFixture : DevNetFixture
{
    public const string ExtraOrderer = "127.0.0.1:9";

    protected override DevNetOptions Options(string directory) => new()
    {
        Directory = directory,
        BatchSize = 7,
        BatchTimeout = TimeSpan.FromMilliseconds(250),
        ExtraOrdererAddresses = [ExtraOrderer],
    };
}

/// <summary>The channel configuration in DevNet's genesis block, and the peers' cscc that reads it, against a real v2.4 peer.</summary>
public sealed class ChannelConfigTests(ConfiguredDevNetFixture fixture) : IClassFixture<ConfiguredDevNetFixture>
{
    private static readonly Config Captured = Config.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "channel-config.bin")));

    [Fact]
    public async Task Genesis_block_carries_the_networks_real_configuration()
    {
        var network = fixture.Network;
        var client = fixture.Client();
        var answer = await client.EndorseAsync(network.Peers[0], client.ProposeSystem(["GetConfigBlock", network.ChannelId]).Sign(client.Signer));
        Assert.Equal(200, answer.Response.Status);
        var block = Block.Parser.ParseFrom(answer.Response.Payload);
        Assert.Equal(0UL, block.Header.Number);

        // LAST_CONFIG as Fabric 2.x writes it: in SIGNATURES (OrdererBlockMetadata) and in the deprecated slot.
        var signatures = Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);
        Assert.Equal(0UL, OrdererBlockMetadata.Parser.ParseFrom(signatures.Value).LastConfig.Index);
        Assert.Single(signatures.Signatures);
        var deprecated = Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.LastConfig]);
        Assert.Equal(0UL, LastConfig.Parser.ParseFrom(deprecated.Value).Index);

        var envelope = Envelope.Parser.ParseFrom(Assert.Single(block.Data.Data));
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        var channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
        Assert.Equal((int)HeaderType.Config, channelHeader.Type);
        Assert.Equal(network.ChannelId, channelHeader.ChannelId);
        var config = ConfigEnvelope.Parser.ParseFrom(payload.Data).Config;
        Assert.Equal(0UL, config.Sequence);

        var root = config.ChannelGroup;
        Assert.Equal([ConfiguredDevNetFixture.ExtraOrderer, network.Orderer.Address], OrdererAddresses.Parser.ParseFrom(root.Values["OrdererAddresses"].Value).Addresses);
        var orderer = root.Groups["Orderer"];
        Assert.Equal([ConfiguredDevNetFixture.ExtraOrderer, network.Orderer.Address], OrdererAddresses.Parser.ParseFrom(orderer.Groups["OrdererOrg"].Values["Endpoints"].Value).Addresses);
        Assert.Equal("250ms", BatchTimeout.Parser.ParseFrom(orderer.Values["BatchTimeout"].Value).Timeout);
        Assert.Equal(7U, BatchSize.Parser.ParseFrom(orderer.Values["BatchSize"].Value).MaxMessageCount);
        var ordererMsp = Msp(orderer.Groups["OrdererOrg"]);
        Assert.Equal("OrdererMSP", ordererMsp.Name);
        Assert.Equal(File.ReadAllText(network.Orderer.TlsRootCertFile), Assert.Single(ordererMsp.TlsRootCerts).ToStringUtf8());

        var application = root.Groups["Application"];
        Assert.Equal(network.Peers.Select(p => p.MspId).Distinct().Order(StringComparer.Ordinal), application.Groups.Keys.Order(StringComparer.Ordinal));
        foreach (var peer in network.Peers)
        {
            var org = application.Groups[peer.MspId];
            var msp = Msp(org);
            Assert.Equal(peer.MspId, msp.Name);
            Assert.Equal(File.ReadAllText(peer.TlsRootCertFile), Assert.Single(msp.TlsRootCerts).ToStringUtf8());
            var anchor = Assert.Single(AnchorPeers.Parser.ParseFrom(org.Values["AnchorPeers"].Value).AnchorPeers_);
            Assert.Equal(peer.Address, $"{anchor.Host}:{anchor.Port}");
        }

        // The root CA is the one the org's users are issued by (what the peers verify signatures against).
        for (var n = 1; n <= network.Peers.Select(p => p.MspId).Distinct().Count(); n++)
        {
            var user = network.User(n);
            var ca = File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(user.MspDirectory, "cacerts"))));
            var msp = Msp(application.Groups[user.MspId]);
            Assert.Equal(ca, Assert.Single(msp.RootCerts).ToStringUtf8());
            Assert.True(msp.FabricNodeOus.Enable);
            Assert.Equal(ca, msp.FabricNodeOus.AdminOuIdentifier.Certificate.ToStringUtf8());
        }

        // GetChannelConfig answers the same configuration.
        var channelConfig = await client.EndorseAsync(network.Peers[0], client.ProposeSystem(["GetChannelConfig", network.ChannelId]).Sign(client.Signer));
        Assert.Equal(200, channelConfig.Response.Status);
        Assert.Equal(config, Config.Parser.ParseFrom(channelConfig.Response.Payload));
    }

    [Fact]
    public async Task Configuration_has_the_shape_of_a_real_v2_4_channel()
    {
        var client = fixture.Client();
        var answer = await client.EndorseAsync(fixture.Network.Peers[0], client.ProposeSystem(["GetChannelConfig", fixture.Network.ChannelId]).Sign(client.Signer));
        var config = Config.Parser.ParseFrom(answer.Response.Payload);

        // Same groups, values and policies everywhere (DevNet names its orgs as the captured network did), and the
        // same policies — implicit meta at group level, signature policies at org level — byte for byte.
        AssertSameShape(Captured.ChannelGroup, config.ChannelGroup, "/Channel");
        // The ACLs compared as maps (the capture's map order is Go's random order).
        Assert.Equal(
            ACLs.Parser.ParseFrom(Captured.ChannelGroup.Groups["Application"].Values["ACLs"].Value),
            ACLs.Parser.ParseFrom(config.ChannelGroup.Groups["Application"].Values["ACLs"].Value));
        foreach (var name in new[] { "HashingAlgorithm", "BlockDataHashingStructure", "Capabilities" })
        {
            Assert.Equal(Captured.ChannelGroup.Values[name], config.ChannelGroup.Values[name]);
        }

        var capturedOrderer = Captured.ChannelGroup.Groups["Orderer"];
        var orderer = config.ChannelGroup.Groups["Orderer"];
        Assert.Equal("etcdraft", ConsensusType.Parser.ParseFrom(orderer.Values["ConsensusType"].Value).Type);
        foreach (var name in new[] { "ChannelRestrictions", "Capabilities" })
        {
            Assert.Equal(capturedOrderer.Values[name], orderer.Values[name]);
        }

        var capturedBatch = BatchSize.Parser.ParseFrom(capturedOrderer.Values["BatchSize"].Value);
        var batch = BatchSize.Parser.ParseFrom(orderer.Values["BatchSize"].Value);
        Assert.Equal((capturedBatch.AbsoluteMaxBytes, capturedBatch.PreferredMaxBytes), (batch.AbsoluteMaxBytes, batch.PreferredMaxBytes));
    }

    [Fact]
    public async Task Channel_less_request_from_another_org_is_refused_like_a_real_peer()
    {
        // A channel-less proposal is checked against the peer's local MSP: Org2's user is unknown to peer0.org1.
        var org2 = fixture.Client(fixture.Network.User(2));
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            org2.EndorseAsync(fixture.Network.Peers[0], org2.ProposeSystem(["GetChannelConfig", fixture.Network.ChannelId]).Sign(org2.Signer)));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("error validating proposal: access denied: channel [] creator org unknown, creator is malformed", error.Status.Detail);

        var foreign = fixture.Client(fixture.Network.CreateForeignIdentity());
        error = await Assert.ThrowsAsync<RpcException>(() =>
            foreign.EndorseAsync(fixture.Network.Peers[0], foreign.ProposeSystem(["GetChannelConfig", fixture.Network.ChannelId]).Sign(foreign.Signer)));
        Assert.Equal("error validating proposal: access denied: channel [] creator org unknown, creator is malformed", error.Status.Detail);

        // Its own peer answers it.
        var own = await org2.EndorseAsync(fixture.Network.Peers[1], org2.ProposeSystem(["GetChannelConfig", fixture.Network.ChannelId]).Sign(org2.Signer));
        Assert.Equal(200, own.Response.Status);
        Assert.Null(own.Endorsement);
    }

    [Fact]
    public async Task Unknown_channel_wrong_arguments_and_functions_answer_a_real_peers_errors()
    {
        var client = fixture.Client();
        var peer = fixture.Network.Peers[0];

        async Task<Response> Ask(params string[] args) =>
            (await client.EndorseAsync(peer, client.ProposeSystem(args).Sign(client.Signer))).Response;

        var unknown = await Ask("GetChannelConfig", "nochannel");
        Assert.Equal((500, "access denied for [GetChannelConfig][nochannel]: Failed to get policy manager for channel [nochannel]"), (unknown.Status, unknown.Message));
        var unknownBlock = await Ask("GetConfigBlock", "nochannel");
        Assert.Equal((500, "access denied for [GetConfigBlock][nochannel]: Failed to get policy manager for channel [nochannel]"), (unknownBlock.Status, unknownBlock.Message));
        var oneArg = await Ask("GetChannelConfig");
        Assert.Equal((500, "Incorrect number of arguments, 1"), (oneArg.Status, oneArg.Message));
        var empty = await Ask("GetChannelConfig", "");
        Assert.Equal((500, "empty channel name provided"), (empty.Status, empty.Message));
        var function = await Ask("Nope", "mychannel");
        Assert.Equal((500, "Requested function Nope not found."), (function.Status, function.Message));

        // An application chaincode on no channel is not defined anywhere.
        var basic = await client.EndorseAsync(peer, client.ProposeSystem(["Get", "k"], chaincode: "basic").Sign(client.Signer));
        Assert.Equal(500, basic.Response.Status);
        Assert.Null(basic.Endorsement);
    }

    [Fact]
    public async Task Moved_endpoints_on_restart_append_a_config_block_that_peers_and_cscc_follow()
    {
        var directory = Path.Combine(Path.GetTempPath(), "fabinvoke-devnet-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            ulong height;
            await using (var first = await DevNetwork.StartAsync(new DevNetOptions { Directory = directory, ExtraOrdererAddresses = ["127.0.0.1:9"] }).WaitAsync(DevNetFixture.Bound))
            {
                using var client = new Client(first, first.User(1), presentClientCertificate: false);
                await client.InvokeAsync(["Put", "k", "1"]);
                height = first.Orderer.Height;
            }

            await using var second = await DevNetwork.StartAsync(new DevNetOptions { Directory = directory, ExtraOrdererAddresses = ["127.0.0.1:10"] }).WaitAsync(DevNetFixture.Bound);
            Assert.Equal(height + 1, second.Orderer.Height);
            Assert.All(second.Peers, p => Assert.Equal(height + 1, p.Height));
            using var again = new Client(second, second.User(1), presentClientCertificate: false);
            var answer = await again.EndorseAsync(second.Peers[0], again.ProposeSystem(["GetConfigBlock", second.ChannelId]).Sign(again.Signer));
            var block = Block.Parser.ParseFrom(answer.Response.Payload);
            Assert.Equal(height, block.Header.Number);
            Assert.Equal((byte)TxValidationCode.Valid, Assert.Single(block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].ToByteArray()));
            var config = ConfigEnvelope.Parser.ParseFrom(Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(block.Data.Data[0]).Payload).Data).Config;
            Assert.Equal(1UL, config.Sequence);
            Assert.Equal(["127.0.0.1:10", second.Orderer.Address], OrdererAddresses.Parser.ParseFrom(config.ChannelGroup.Values["OrdererAddresses"].Value).Addresses);

            // Later blocks name it as their last config, and transactions still commit.
            var put = await again.InvokeAsync(["Put", "k", "2"]);
            Assert.All(put.Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private static FabricMSPConfig Msp(ConfigGroup org) => FabricMSPConfig.Parser.ParseFrom(MSPConfig.Parser.ParseFrom(org.Values["MSP"].Value).Config);

    private static void AssertSameShape(ConfigGroup expected, ConfigGroup actual, string path)
    {
        Assert.Equal(expected.Groups.Keys.Order(StringComparer.Ordinal), actual.Groups.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Values.Keys.Order(StringComparer.Ordinal), actual.Values.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Policies.Keys.Order(StringComparer.Ordinal), actual.Policies.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.ModPolicy, actual.ModPolicy);
        foreach (var (name, value) in expected.Values)
        {
            Assert.True(value.ModPolicy == actual.Values[name].ModPolicy, $"{path}/{name} mod_policy");
        }

        foreach (var (name, policy) in expected.Policies)
        {
            Assert.True(policy.Equals(actual.Policies[name]), $"{path} policy {name} differs from the captured one");
        }

        foreach (var (name, group) in expected.Groups)
        {
            AssertSameShape(group, actual.Groups[name], $"{path}/{name}");
        }
    }
}
