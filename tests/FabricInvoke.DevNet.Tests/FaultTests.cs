using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Peer;
using Grpc.Core;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Tests;

/// <summary>Each fault switch changes what the network answers, and healing restores it.</summary>
[Collection(nameof(FaultTests))]
public sealed class FaultTests(DevNetFixture fixture) : IClassFixture<DevNetFixture>, IDisposable
{
    private DevPeer Peer1 => fixture.Network.Peers[0];

    public void Dispose() => fixture.Heal();

    [Fact]
    public async Task EndorsementStatus_answers_that_status_without_endorsement()
    {
        Peer1.Faults.EndorsementStatus = (503, "peer is tired");
        var client = fixture.Client();

        var responses = await client.EndorseAllAsync(client.Propose(["Put", "fs", "v"]));

        Assert.Equal(503, responses[0].Response.Status);
        Assert.Equal("peer is tired", responses[0].Response.Message);
        Assert.Null(responses[0].Endorsement);
        Assert.Equal(200, responses[1].Response.Status);
    }

    [Fact]
    public async Task EndorsementRpcError_answers_a_grpc_error()
    {
        Peer1.Faults.EndorsementRpcError = StatusCode.Unavailable;
        var client = fixture.Client();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.EndorseAllAsync(client.Propose(["Put", "fr", "v"]), [Peer1]));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task AlterEndorsementPayload_gives_a_validly_signed_but_different_payload()
    {
        Peer1.Faults.AlterEndorsementPayload = true;
        var client = fixture.Client();

        var responses = await client.EndorseAllAsync(client.Propose(["Put", "fa", "v"]));

        Assert.All(responses, r => Assert.Equal(200, r.Response.Status));
        Assert.NotEqual(responses[0].Payload, responses[1].Payload);
    }

    [Fact]
    public async Task DeliverStatus_answers_that_status_and_ends_the_stream()
    {
        Peer1.Faults.DeliverStatus = Status.ServiceUnavailable;
        using var deliver = await fixture.Client().DeliverAsync(Peer1);

        Assert.Equal(Status.ServiceUnavailable, (await deliver.NextAsync())!.Status);
        Assert.Null(await deliver.NextAsync());
    }

    [Fact]
    public async Task ForceValidationCode_marks_the_transaction_on_that_peer_only()
    {
        Peer1.Faults.ForceValidationCode = TxValidationCode.MvccReadConflict;

        var outcome = await fixture.Client().InvokeAsync(["Put", "fv", "v"]);

        Assert.Equal(TxValidationCode.MvccReadConflict, outcome.Verdicts[0].TxValidationCode);
        Assert.Equal(TxValidationCode.Valid, outcome.Verdicts[1].TxValidationCode);
    }

    [Fact]
    public async Task BroadcastStatus_answers_that_status_and_info()
    {
        fixture.Network.Orderer.Faults.BroadcastStatus = Status.ServiceUnavailable;
        fixture.Network.Orderer.Faults.BroadcastInfo = "no Raft leader";
        var client = fixture.Client();
        var proposal = client.Propose(["Put", "fb", "v"]);

        var answer = (await client.BroadcastAsync(client.Transaction(proposal, await client.EndorseAllAsync(proposal))))[0];

        Assert.Equal(Status.ServiceUnavailable, answer.Status);
        Assert.Equal("no Raft leader", answer.Info);
    }

    [Fact]
    public async Task DropDeliverAfterFirstBlock_aborts_the_stream_after_the_first_block()
    {
        Peer1.Faults.DropDeliverAfterFirstBlock = true;
        using var deliver = await fixture.Client().DeliverAsync(Peer1);

        Assert.NotNull((await deliver.NextAsync())!.FilteredBlock);
        var error = await Assert.ThrowsAsync<RpcException>(deliver.NextAsync);
        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }

    [Fact]
    public async Task WithholdBlocks_sends_only_the_first_block()
    {
        Peer1.Faults.WithholdBlocks = true;
        var client = fixture.Client();
        using var withheld = await client.DeliverAsync(Peer1);
        await withheld.NextAsync();

        var outcome = await client.InvokeAsync(["Put", "fw", "v"], waitOn: [fixture.Network.Peers[1]]);

        Assert.Equal(TxValidationCode.Valid, outcome.Verdicts[0].TxValidationCode);
        var next = withheld.NextAsync();

        // Not vacuous: the peer holds the block (the orderer hands a block to the peers in order, so Peers[0] has it once
        // Peers[1] reported it) and a fresh stream asking for exactly that block receives it at once, carrying the txid.
        var block = Peer1.Height - 1;
        using (var control = await client.DeliverAsync(Peer1, FabricInvoke.Core.Transactions.SeekEnvelopeBuilder.CreateSignedEnvelope(
                   fixture.Network.ChannelId, client.Signer, DateTimeOffset.UtcNow, [], FabricInvoke.Core.Transactions.SeekFrom.Block(block))))
        {
            var delivered = (await control.NextAsync())!.FilteredBlock;
            Assert.Equal(block, delivered.Number);
            Assert.Contains(delivered.FilteredTransactions, t => t.Txid == outcome.TxId);
        }

        var finished = await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(500)));
        Assert.NotSame(next, finished);
    }

    [Fact]
    public async Task Delays_slow_the_answers_down()
    {
        Peer1.Faults.EndorsementDelay = TimeSpan.FromMilliseconds(300);
        var client = fixture.Client();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        await client.EndorseAllAsync(client.Propose(["Get", "k1"]), [Peer1]);

        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(300));
    }
}
