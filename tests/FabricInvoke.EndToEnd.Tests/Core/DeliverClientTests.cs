using System.Text;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Protos.Common;

namespace FabricInvoke.EndToEnd.Tests.Core;

/// <summary>
/// The seekable deliver client that the commit wait and event streams are built on, over TLS against DevNet: every
/// start position, filtered and full blocks, and a refused request.
/// </summary>
public sealed class DeliverClientTests : IClassFixture<NetworkFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly NetworkFixture _net;

    public DeliverClientTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private ChaincodeCmdFactory Connect(FabricInvoke.DevNet.DevIdentity? identity = null)
    {
        var user = identity ?? _net.Network.User(1);
        var signer = MspFolder.Load(user.MspDirectory, user.MspId);
        var peer = _net.Network.Peers[0];
        return ChaincodeCmdFactory.Create(new ConnectionSettings
        {
            Peers = [new NodeEndpoint(Endpoint.Parse(peer.Address, "peer"), peer.TlsRootCertFile, null)],
            PeerTransport = new TransportSettings(TimeSpan.FromSeconds(3), null),
        }, signer);
    }

    private async Task PutAsync(string key, string value)
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs($$"""{"Args":["Put","{{key}}","{{value}}"]}"""));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
    }

    private static async Task<List<DeliveredBlock>> TakeAsync(BlockStream stream, int count)
    {
        var blocks = new List<DeliveredBlock>();
        await foreach (var block in stream.ReadAllAsync().WithCancellation(CancellationToken.None))
        {
            blocks.Add(block);
            if (blocks.Count == count)
            {
                break;
            }
        }

        return blocks;
    }

    [Fact]
    public async Task Oldest_starts_at_block_0_and_blocks_come_in_ledger_order()
    {
        await PutAsync("dc-a", "1");
        using var connections = Connect();
        var client = new DeliverClient(connections.Peers[0], connections.Signer, _net.Network.ChannelId, bindTlsCertHash: false);
        using var stream = client.Open(SeekFrom.Oldest, BlockKind.Filtered, CancellationToken.None);

        var blocks = await TakeAsync(stream, 2).WaitAsync(Bound);

        Assert.Equal([0UL, 1UL], blocks.Select(b => b.Number));
        Assert.Equal(HeaderType.Config, Assert.Single(blocks[0].Transactions).Type);
    }

    [Fact]
    public async Task A_block_number_starts_there_and_newest_starts_at_the_last_block()
    {
        await PutAsync("dc-b", "1");
        await PutAsync("dc-c", "1");
        var height = _net.Network.Peers[0].Height;
        using var connections = Connect();
        var client = new DeliverClient(connections.Peers[0], connections.Signer, _net.Network.ChannelId, bindTlsCertHash: false);

        using (var fromOne = client.Open(SeekFrom.Block(1), BlockKind.Filtered, CancellationToken.None))
        {
            Assert.Equal(1UL, Assert.Single(await TakeAsync(fromOne, 1).WaitAsync(Bound)).Number);
        }

        using var newest = client.Open(SeekFrom.Newest, BlockKind.Filtered, CancellationToken.None);
        Assert.Equal(height - 1, Assert.Single(await TakeAsync(newest, 1).WaitAsync(Bound)).Number);
    }

    [Fact]
    public async Task Full_blocks_carry_the_chaincode_event_payload_and_filtered_blocks_do_not()
    {
        using var connections = Connect();
        var client = new DeliverClient(connections.Peers[0], connections.Signer, _net.Network.ChannelId, bindTlsCertHash: false);
        var next = _net.Network.Peers[0].Height;
        using var full = client.Open(SeekFrom.Block(next), BlockKind.Full, CancellationToken.None);
        using var filtered = client.Open(SeekFrom.Block(next), BlockKind.Filtered, CancellationToken.None);
        var fullBlock = TakeAsync(full, 1);
        var filteredBlock = TakeAsync(filtered, 1);

        await PutAsync("dc-event-key", "v");

        var fullEvent = Assert.Single(Assert.Single((await fullBlock.WaitAsync(Bound))[0].Transactions).Events);
        Assert.Equal(("basic", "Put", "dc-event-key"), (fullEvent.ChaincodeName, fullEvent.EventName, Encoding.UTF8.GetString(fullEvent.Payload)));
        var filteredEvent = Assert.Single(Assert.Single((await filteredBlock.WaitAsync(Bound))[0].Transactions).Events);
        Assert.Equal(("basic", "Put"), (filteredEvent.ChaincodeName, filteredEvent.EventName));
        Assert.Empty(filteredEvent.Payload);
    }

    [Fact]
    public async Task A_request_from_a_non_member_is_refused_with_FORBIDDEN_as_a_deliver_failure()
    {
        using var connections = Connect(_net.Network.CreateForeignIdentity());
        var client = new DeliverClient(connections.Peers[0], connections.Signer, _net.Network.ChannelId, bindTlsCertHash: false);
        using var stream = client.Open(SeekFrom.Newest, BlockKind.Full, CancellationToken.None);

        var e = await Assert.ThrowsAsync<FabricInvokeException>(() => TakeAsync(stream, 1).WaitAsync(Bound));

        Assert.Equal(FailureKind.Deliver, e.Kind);
        Assert.Equal(Status.Forbidden, e.FabricStatus);
        Assert.Equal(_net.Network.Peers[0].Address, e.Target);
        Assert.Contains("deliver completed with status (FORBIDDEN)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_peer_is_a_connection_failure()
    {
        var signer = MspFolder.Load(_net.Network.User(1).MspDirectory, "Org1MSP");
        var dead = ClosedPort.Address();
        using var connections = ChaincodeCmdFactory.Create(new ConnectionSettings
        {
            Peers = [new NodeEndpoint(Endpoint.Parse(dead, "peer"), _net.Network.Peers[0].TlsRootCertFile, null)],
            PeerTransport = new TransportSettings(TimeSpan.FromSeconds(1), null),
        }, signer);
        var client = new DeliverClient(connections.Peers[0], signer, _net.Network.ChannelId, bindTlsCertHash: false);
        using var stream = client.Open(SeekFrom.Newest, BlockKind.Filtered, CancellationToken.None);

        var e = await Assert.ThrowsAsync<FabricInvokeException>(() => TakeAsync(stream, 1).WaitAsync(Bound));

        Assert.Equal(FailureKind.Connection, e.Kind);
        Assert.Equal(dead, e.Target);
    }
}
