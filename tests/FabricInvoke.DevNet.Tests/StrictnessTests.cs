using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Tests;

/// <summary>Each check a real Fabric v2.4 node makes, refused with the answer the fixtures recorded.</summary>
public sealed class StrictnessTests(DevNetFixture fixture) : IClassFixture<DevNetFixture>
{
    private const string WritersFailure =
        "implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied: permission denied";

    [Fact]
    public async Task Foreign_identity_is_refused_by_endorser_deliver_and_orderer()
    {
        var foreign = fixture.Client(fixture.Network.CreateForeignIdentity());
        var peer = fixture.Network.Peers[0];

        var error = await Assert.ThrowsAsync<RpcException>(() => foreign.EndorseAsync(peer, foreign.Propose(["Put", "f", "v"]).Sign(foreign.Signer)));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("error validating proposal: access denied: channel [mychannel] creator org unknown, creator is malformed", error.Status.Detail);

        using var deliver = await foreign.DeliverAsync(peer);
        Assert.Equal(Status.Forbidden, (await deliver.NextAsync())!.Status);
        Assert.Null(await deliver.NextAsync());

        // As in the fixture: an ENDORSER_TRANSACTION envelope with an empty Transaction, signed by the foreign user.
        var header = Header.Parser.ParseFrom(foreign.Propose(["Put", "f2", "v"]).HeaderBytes);
        var envelope = new Envelope { Payload = new Payload { Header = header, Data = new Transaction().ToByteString() }.ToByteString() };
        envelope.Signature = ByteString.CopyFrom(foreign.Signer.Sign(envelope.Payload.Span));
        var broadcast = await foreign.BroadcastAsync(envelope);
        Assert.Equal(Status.Forbidden, broadcast[0].Status);
        Assert.Equal(WritersFailure, broadcast[0].Info);
    }

    [Fact]
    public async Task High_s_signatures_are_refused_everywhere()
    {
        var client = fixture.Client();
        var peer = fixture.Network.Peers[0];

        var signed = client.Propose(["Put", "hs", "v"]).Sign(client.Signer);
        signed.Signature = ByteString.CopyFrom(EcdsaSignatures.ToHighS(signed.Signature.Span));
        var error = await Assert.ThrowsAsync<RpcException>(() => client.EndorseAsync(peer, signed));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("error validating proposal: access denied: channel [mychannel] creator org [Org1MSP]", error.Status.Detail);

        var seek = client.Seek();
        seek.Signature = ByteString.CopyFrom(EcdsaSignatures.ToHighS(seek.Signature.Span));
        using var deliver = await client.DeliverAsync(peer, seek);
        Assert.Equal(Status.Forbidden, (await deliver.NextAsync())!.Status);

        var envelope = await EndorsedPutAsync(client, "hs2");
        envelope.Signature = ByteString.CopyFrom(EcdsaSignatures.ToHighS(envelope.Signature.Span));
        var broadcast = await client.BroadcastAsync(envelope);
        Assert.Equal(Status.Forbidden, broadcast[0].Status);
        Assert.Equal(WritersFailure, broadcast[0].Info);
    }

    [Fact]
    public async Task Signature_over_other_bytes_is_refused()
    {
        var client = fixture.Client();
        var signed = client.Propose(["Put", "bad", "v"]).Sign(client.Signer);
        signed.Signature = ByteString.CopyFrom(client.Signer.Sign("other bytes"u8));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.EndorseAsync(fixture.Network.Peers[1], signed));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("error validating proposal: access denied: channel [mychannel] creator org [Org1MSP]", error.Status.Detail);
    }

    [Fact]
    public async Task Wrong_txid_is_refused()
    {
        var client = fixture.Client();
        var proposal = Proposal.Parser.ParseFrom(client.Propose(["Put", "tx", "v"]).ProposalBytes);
        var header = Header.Parser.ParseFrom(proposal.Header);
        var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
        channelHeader.TxId = new string('0', 64);
        header.ChannelHeader = channelHeader.ToByteString();
        proposal.Header = header.ToByteString();
        var bytes = proposal.ToByteString();
        var signed = new SignedProposal { ProposalBytes = bytes, Signature = ByteString.CopyFrom(client.Signer.Sign(bytes.Span)) };

        var error = await Assert.ThrowsAsync<RpcException>(() => client.EndorseAsync(fixture.Network.Peers[0], signed));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.StartsWith("error validating proposal: incorrectly computed txid '0000", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_identity_is_refused_by_the_endorser()
    {
        var expired = fixture.Client(fixture.Network.CreateExpiredIdentity(2));

        var error = await Assert.ThrowsAsync<RpcException>(() => expired.EndorseAsync(fixture.Network.Peers[0], expired.Propose(["Put", "e", "v"]).Sign(expired.Signer)));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("error validating proposal: access denied: channel [mychannel] creator org [Org2MSP]", error.Status.Detail);
    }

    [Fact]
    public async Task Unknown_channel_and_chaincode_give_status_500_without_payload()
    {
        var client = fixture.Client();
        var peer = fixture.Network.Peers[0];

        var channel = await client.EndorseAsync(peer, client.Propose(["Put", "k", "v"], channelId: "nosuchchannel").Sign(client.Signer));
        Assert.Equal(500, channel.Response.Status);
        Assert.Equal("channel 'nosuchchannel' not found", channel.Response.Message);
        Assert.True(channel.Payload.IsEmpty);

        var chaincode = await client.EndorseAsync(peer, client.Propose(["Put", "k", "v"], chaincode: "nosuchcc").Sign(client.Signer));
        Assert.Equal(500, chaincode.Response.Status);
        Assert.Equal("make sure the chaincode nosuchcc has been successfully defined on channel mychannel and try again: chaincode nosuchcc not found", chaincode.Response.Message);
        Assert.True(chaincode.Payload.IsEmpty);
    }

    [Fact]
    public async Task Chaincode_error_is_status_500_version_0_with_payload_and_no_endorsement()
    {
        var client = fixture.Client();

        var responses = await client.EndorseAllAsync(client.Propose(["Fail", "boom from test"]));

        Assert.All(responses, r =>
        {
            Assert.Equal(0, r.Version);
            Assert.Equal(500, r.Response.Status);
            Assert.Equal("boom from test", r.Response.Message);
            Assert.Null(r.Endorsement);
            var action = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(r.Payload).Extension);
            Assert.Equal(500, action.Response.Status);
            Assert.Equal("basic", action.ChaincodeId.Name);
            Assert.Equal("1.0", action.ChaincodeId.Version);
        });
    }

    [Fact]
    public async Task CreateAsset_twice_fails_with_already_exists()
    {
        var client = fixture.Client();
        var first = await client.InvokeAsync(["CreateAsset", "asset-1", "value"]);
        Assert.All(first.Verdicts, v => Assert.Equal("AssetCreated", v.TransactionActions.ChaincodeActions[0].ChaincodeEvent.EventName));

        var second = await client.EndorseAllAsync(client.Propose(["CreateAsset", "asset-1", "value"]));

        Assert.All(second, r =>
        {
            Assert.Equal(500, r.Response.Status);
            Assert.Equal("The asset asset-1 already exists", r.Response.Message);
        });
    }

    [Fact]
    public async Task Endorsement_by_one_org_fails_the_majority_policy()
    {
        var client = fixture.Client();

        var outcome = await client.InvokeAsync(["Put", "epf", "v"], endorsers: [fixture.Network.Peers[0]]);

        Assert.All(outcome.Verdicts, v =>
        {
            Assert.Equal(TxValidationCode.EndorsementPolicyFailure, v.TxValidationCode);
            Assert.Equal("Put", v.TransactionActions.ChaincodeActions[0].ChaincodeEvent.EventName);
        });
    }

    [Fact]
    public async Task Two_concurrent_increments_give_one_mvcc_read_conflict()
    {
        var client = fixture.Client();
        var sessions = await Task.WhenAll(fixture.Network.Peers.Select(async p =>
        {
            var s = await client.DeliverAsync(p);
            await s.NextAsync();
            return s;
        }));
        var a = client.Propose(["Incr", "counter"]);
        var b = client.Propose(["Incr", "counter"]);
        var envelopeA = client.Transaction(a, await client.EndorseAllAsync(a));
        var envelopeB = client.Transaction(b, await client.EndorseAllAsync(b));

        var broadcast = await client.BroadcastAsync(envelopeA, envelopeB);

        Assert.All(broadcast, r => Assert.Equal(Status.Success, r.Status));
        foreach (var session in sessions)
        {
            using (session)
            {
                Assert.Equal(TxValidationCode.Valid, (await session.WaitForTxAsync(a.TxId)).TxValidationCode);
                Assert.Equal(TxValidationCode.MvccReadConflict, (await session.WaitForTxAsync(b.TxId)).TxValidationCode);
            }
        }
    }

    [Fact]
    public async Task Rebroadcast_is_accepted_by_the_orderer_and_marked_duplicate_by_peers()
    {
        var client = fixture.Client();
        var proposal = client.Propose(["Put", "dup", "v"]);
        var envelope = client.Transaction(proposal, await client.EndorseAllAsync(proposal));
        // Both peers must have committed the first copy before the second seek, or "Newest" on peer 1 could still be
        // the block before it (peers commit one after the other) and the stream would show the first, VALID copy.
        using (var first = await client.DeliverAsync(fixture.Network.Peers[0]))
        using (var firstOnSecondPeer = await client.DeliverAsync(fixture.Network.Peers[1]))
        {
            await first.NextAsync();
            await firstOnSecondPeer.NextAsync();
            Assert.Equal(Status.Success, (await client.BroadcastAsync(envelope))[0].Status);
            Assert.Equal(TxValidationCode.Valid, (await first.WaitForTxAsync(proposal.TxId)).TxValidationCode);
            Assert.Equal(TxValidationCode.Valid, (await firstOnSecondPeer.WaitForTxAsync(proposal.TxId)).TxValidationCode);
        }

        using var second = await client.DeliverAsync(fixture.Network.Peers[1]);
        await second.NextAsync();
        Assert.Equal(Status.Success, (await client.BroadcastAsync(envelope))[0].Status);
        Assert.Equal(TxValidationCode.DuplicateTxid, (await second.WaitForTxAsync(proposal.TxId)).TxValidationCode);
    }

    [Fact]
    public async Task Deliver_for_unknown_channel_is_not_found()
    {
        var client = fixture.Client();
        using var deliver = await client.DeliverAsync(fixture.Network.Peers[0], client.Seek(channelId: "nosuchchannel"));

        Assert.Equal(Status.NotFound, (await deliver.NextAsync())!.Status);
        Assert.Null(await deliver.NextAsync());
    }

    [Fact]
    public async Task Deliver_refuses_an_unsigned_seek_request_with_FORBIDDEN()
    {
        var client = fixture.Client();
        var unsigned = client.Seek();
        unsigned.Signature = Google.Protobuf.ByteString.Empty;
        using var deliver = await client.DeliverAsync(fixture.Network.Peers[0], unsigned);

        Assert.Equal(Status.Forbidden, (await deliver.NextAsync())!.Status);
        Assert.Null(await deliver.NextAsync());
    }

    [Theory]
    [InlineData(-60)]
    [InlineData(60)]
    public async Task Deliver_with_timestamp_outside_15_minutes_is_bad_request(int minutes)
    {
        var client = fixture.Client();
        using var deliver = await client.DeliverAsync(fixture.Network.Peers[0], client.Seek(now: DateTimeOffset.UtcNow.AddMinutes(minutes)));

        Assert.Equal(Status.BadRequest, (await deliver.NextAsync())!.Status);
    }

    [Fact]
    public async Task Broadcast_of_unknown_channel_or_garbage_is_bad_request()
    {
        var client = fixture.Client();
        var proposal = client.Propose(["Put", "k", "v"], channelId: "nosuchchannel");
        var wrongChannel = new Envelope { Payload = new Payload { Header = Header.Parser.ParseFrom(proposal.HeaderBytes) }.ToByteString() };
        wrongChannel.Signature = ByteString.CopyFrom(client.Signer.Sign(wrongChannel.Payload.Span));
        var garbage = new Envelope { Payload = ByteString.CopyFrom(0x0a, 0xff) };

        var answers = await client.BroadcastAsync(wrongChannel, garbage);

        Assert.Equal(Status.BadRequest, answers[0].Status);
        Assert.Equal("channel creation request not allowed because the orderer system channel is not defined", answers[0].Info);
        Assert.Equal(Status.BadRequest, answers[1].Status);
        Assert.StartsWith("could not determine channel ID: error unmarshalling Payload", answers[1].Info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_deliver_of_a_bounded_range_sends_the_block_with_the_event_payload_then_success()
    {
        var client = fixture.Client();
        var outcome = await client.InvokeAsync(["Put", "full", "value"]);
        var peer = fixture.Network.Peers[1];
        var number = peer.Height - 1;
        var seek = SeekFor(client, number);

        using var deliver = await client.DeliverAsync(peer, seek, filtered: false);
        var block = (await deliver.NextAsync())!.Block;

        Assert.Equal(number, block.Header.Number);
        Assert.Equal(5, block.Metadata.Metadata.Count);
        var envelope = Envelope.Parser.ParseFrom(block.Data.Data[0]);
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        Assert.Equal(outcome.TxId, ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader).TxId);
        var action = ChaincodeActionPayload.Parser.ParseFrom(Transaction.Parser.ParseFrom(payload.Data).Actions[0].Payload);
        var chaincodeAction = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(action.Action.ProposalResponsePayload).Extension);
        Assert.Equal("full", ChaincodeEvent.Parser.ParseFrom(chaincodeAction.Events).Payload.ToStringUtf8());
        Assert.Equal(Status.Success, (await deliver.NextAsync())!.Status);
    }

    private static Envelope SeekFor(Client client, ulong number)
    {
        var seek = client.Seek();
        var payload = Payload.Parser.ParseFrom(seek.Payload);
        var info = Protos.Orderer.SeekInfo.Parser.ParseFrom(payload.Data);
        info.Start = new Protos.Orderer.SeekPosition { Specified = new Protos.Orderer.SeekSpecified { Number = number } };
        info.Stop = new Protos.Orderer.SeekPosition { Specified = new Protos.Orderer.SeekSpecified { Number = number } };
        payload.Data = info.ToByteString();
        seek.Payload = payload.ToByteString();
        seek.Signature = ByteString.CopyFrom(client.Signer.Sign(seek.Payload.Span));
        return seek;
    }

    /// <summary>A correctly endorsed and signed Put transaction.</summary>
    private static async Task<Envelope> EndorsedPutAsync(Client client, string key)
    {
        var proposal = client.Propose(["Put", key, "v"]);
        return client.Transaction(proposal, await client.EndorseAllAsync(proposal));
    }
}
