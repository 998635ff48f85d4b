using System.Net;
using System.Net.Sockets;
using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Peer;
using Grpc.Core;
using PeerDeliverResponse = FabricInvoke.Protos.Peer.DeliverResponse;

namespace FabricInvoke.DevNet.Tests;

/// <summary>DevPeer/DevOrderer StopAsync/StartAsync/RestartAsync: same port, same ledger, streams broken, port kept.</summary>
public sealed class NodeRestartTests(DevNetFixture fixture) : IClassFixture<DevNetFixture>
{
    [Fact]
    public async Task A_stopped_peer_refuses_connections_breaks_its_streams_and_comes_back_on_the_same_port_with_its_ledger()
    {
        var peer = fixture.Network.Peers[0];
        var client = fixture.Client();
        await client.InvokeAsync(["Put", "restart", "1"]);
        var address = peer.Address;
        using var stream = await client.DeliverAsync(peer);
        Assert.Equal(PeerDeliverResponse.TypeOneofCase.FilteredBlock, (await stream.NextAsync())!.TypeCase);

        await peer.StopAsync();
        try
        {
            Assert.False(peer.IsRunning);

            // The open stream is reset (a transport error, not a deliver status), and new calls cannot connect.
            var broken = await Assert.ThrowsAsync<RpcException>(stream.NextAsync);
            Assert.NotEqual(StatusCode.OK, broken.StatusCode);
            // A fresh client: the first client's pooled HTTP/2 connection may not have seen the reset yet, and a call
            // sent on it fails with Internal rather than with a refused connection (a race in the client, not DevNet).
            using var fresh = fixture.Client();
            var refused = await Assert.ThrowsAsync<RpcException>(() => fresh.EndorseAsync(peer, fresh.Propose(["Get", "restart"]).Sign(fresh.Signer)));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);

            // Nothing listens: a plain TCP connection is refused, as by a dead process.
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var connect = await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPEndPoint.Parse(address)));
            Assert.Equal(SocketError.ConnectionRefused, connect.SocketErrorCode);
        }
        finally
        {
            await peer.StartAsync();
        }

        Assert.True(peer.IsRunning);
        Assert.Equal(address, peer.Address);

        // A new client: the old one's channel may still be backing off from the refused connection.
        client = fixture.Client();
        var get = await client.EndorseAsync(peer, client.Propose(["Get", "restart"]).Sign(client.Signer));
        Assert.Equal("1", get.Response.Payload.ToStringUtf8());
        var after = await client.InvokeAsync(["Put", "restart", "2"]);
        Assert.All(after.Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
    }

    [Fact]
    public async Task After_a_restart_a_stop_still_breaks_the_streams_opened_since()
    {
        var peer = fixture.Network.Peers[1];
        for (var i = 0; i < 3; i++)
        {
            await peer.RestartAsync();
            var client = fixture.Client(fixture.Network.User(2));
            using var stream = await client.DeliverAsync(peer);
            Assert.Equal(PeerDeliverResponse.TypeOneofCase.FilteredBlock, (await stream.NextAsync())!.TypeCase);
            await peer.StopAsync();
            var broken = await Assert.ThrowsAsync<RpcException>(stream.NextAsync);
            Assert.NotEqual(StatusCode.OK, broken.StatusCode);
            await peer.StartAsync();
        }
    }

    [Fact]
    public async Task Repeated_restarts_rebind_at_once()
    {
        var peer = fixture.Network.Peers[1];
        for (var i = 0; i < 5; i++)
        {
            // A connection was made, so the restart has TIME_WAIT/closing sockets on the port to contend with.
            var client = fixture.Client(fixture.Network.User(2));
            var put = await client.EndorseAsync(peer, client.Propose(["Put", "again", $"{i}"]).Sign(client.Signer));
            Assert.Equal(200, put.Response.Status);
            await peer.RestartAsync().WaitAsync(DevNetFixture.Bound);
            Assert.True(peer.IsRunning);
        }

        var last = fixture.Client(fixture.Network.User(2));
        Assert.Equal(200, (await last.EndorseAsync(peer, last.Propose(["Put", "again", "last"]).Sign(last.Signer))).Response.Status);
    }

    [Fact]
    public async Task A_stopped_orderer_refuses_broadcasts_and_orders_again_once_started()
    {
        var orderer = fixture.Network.Orderer;
        var client = fixture.Client();
        await orderer.StopAsync();
        try
        {
            Assert.False(orderer.IsRunning);
            var proposal = client.Propose(["Put", "ord", "1"]);
            var envelope = client.Transaction(proposal, await client.EndorseAllAsync(proposal));
            var refused = await Assert.ThrowsAsync<RpcException>(() => client.BroadcastAsync(envelope));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        }
        finally
        {
            await orderer.StartAsync();
        }

        Assert.True(orderer.IsRunning);
        client = fixture.Client();
        var put = await client.InvokeAsync(["Put", "ord", "2"]);
        Assert.All(put.Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
    }
}
