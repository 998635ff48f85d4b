using FabricInvoke.Core.Gateway;
using FabricInvoke.Core.Transactions;
using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Gateway;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;
using RpcStatus = FabricInvoke.Protos.Rpc.Status;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Tests;

/// <summary>
/// Every peer's Gateway service, called over TLS gRPC as a Fabric client calls it, answering as a Fabric v2.4.9 gateway
/// does: the endorsement policy followed, the client's signatures checked, and refusals with the gRPC code, message and
/// ErrorDetails (address, MSP id, message) of the captured real failure.
/// </summary>
public sealed class GatewayTests(DevNetFixture fixture) : IClassFixture<DevNetFixture>
{
    private const string ReadersRefusal =
        "Failed evaluating policy on signed data during check policy on channel [mychannel] with policy [/Channel/Application/Readers]: " +
        "[implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Readers' sub-policies to be satisfied]";

    private DevPeer Org1 => fixture.Network.Peers[0];

    private DevPeer Org2 => fixture.Network.Peers[1];

    [Fact]
    public async Task Endorse_submit_and_commit_status_order_a_transaction_endorsed_by_both_organisations()
    {
        var client = fixture.Client();
        var gateway = client.Gateway(Org1);
        var proposal = client.Propose(["Put", "gw-k1", "gw-v1"]);

        var endorsed = await gateway.EndorseAsync(Endorse(proposal, client), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound);

        var action = EndorsedAction(endorsed.PreparedTransaction);
        var endorsers = action.Endorsements.Select(e => fixture.Network.Peers.Single(p => p.Node.Identity.SerializedIdentity.AsSpan().SequenceEqual(e.Endorser.Span)).MspId);
        Assert.Equal(["Org1MSP", "Org2MSP"], endorsers.Order());
        Assert.True(endorsed.PreparedTransaction.Signature.IsEmpty, "the prepared transaction is for the client to sign");

        await gateway.SubmitAsync(Submit(proposal, endorsed, client), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound);
        var status = await gateway.CommitStatusAsync(GatewayRequests.CommitStatus(proposal.TxId, proposal.ChannelId, client.Signer), deadline: Deadline())
            .ResponseAsync.WaitAsync(DevNetFixture.Bound);

        Assert.Equal(TxValidationCode.Valid, status.Result);
        Assert.Contains(proposal.TxId, TxIdsOf(Org1, status.BlockNumber));

        // Org2's gateway evaluates on its own peer, which has committed the write too (as soon as it has the block).
        var read = await EvaluateAsync(client, Org2, ["Get", "gw-k1"], waitForBlock: status.BlockNumber);
        Assert.Equal("gw-v1", read.Result.Payload.ToStringUtf8());
        Assert.Equal(200, read.Result.Status);
    }

    [Fact]
    public void The_prepared_transaction_is_assembled_byte_for_byte_as_a_v2_4_9_gateway_assembles_it()
    {
        var request = EndorseRequest.Parser.ParseFrom(Fixture("gateway-endorse-request.bin"));
        var captured = EndorseResponse.Parser.ParseFrom(Fixture("gateway-endorse-response.bin")).PreparedTransaction;
        var proposal = Proposal.Parser.ParseFrom(request.ProposedTransaction.ProposalBytes);

        var ours = Gateway.GatewayService.PrepareTransaction(
            Header.Parser.ParseFrom(proposal.Header), ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload), EndorsedAction(captured));

        Assert.Equal(captured.ToByteArray(), ours.ToByteArray());
    }

    [Fact]
    public async Task A_chaincode_error_fails_as_the_captured_v2_4_9_failure_with_the_peer_named()
    {
        var client = fixture.Client();
        var proposal = client.Propose(["Fail", "gateway boom"]);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.Gateway(Org1).EndorseAsync(Endorse(proposal, client), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound));

        var captured = RpcStatus.Parser.ParseFrom(Fixture("gateway-endorse-fail-status-details.bin"));
        Assert.Equal((StatusCode)captured.Code, error.StatusCode);
        Assert.Equal(captured.Message, error.Status.Detail);
        var status = DetailsStatus(error);
        Assert.Equal((captured.Code, captured.Message), (status.Code, status.Message));
        Assert.Equal(captured.Details.Select(d => d.TypeUrl), status.Details.Select(d => d.TypeUrl));
        var detail = Assert.Single(Details(error));
        Assert.Equal((Org1.Address, "Org1MSP", "chaincode response 500, gateway boom"), (detail.Address, detail.MspId, detail.Message));
    }

    [Fact]
    public async Task Named_endorsing_organisations_are_the_only_ones_asked_and_the_policy_then_invalidates()
    {
        var client = fixture.Client();
        var gateway = client.Gateway(Org2);
        var proposal = client.Propose(["Put", "gw-only-org1", "v"]);
        var request = Endorse(proposal, client);
        request.EndorsingOrganizations.Add("Org1MSP");

        var endorsed = await gateway.EndorseAsync(request, deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound);
        var endorsement = Assert.Single(EndorsedAction(endorsed.PreparedTransaction).Endorsements);
        Assert.Equal(Org1.Node.Identity.SerializedIdentity, endorsement.Endorser.ToByteArray());

        await gateway.SubmitAsync(Submit(proposal, endorsed, client), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound);
        var status = await gateway.CommitStatusAsync(GatewayRequests.CommitStatus(proposal.TxId, proposal.ChannelId, client.Signer), deadline: Deadline())
            .ResponseAsync.WaitAsync(DevNetFixture.Bound);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, status.Result);
    }

    [Fact]
    public async Task An_unknown_endorsing_organisation_is_refused_as_unavailable()
    {
        var client = fixture.Client();
        var request = Endorse(client.Propose(["Put", "gw-org9", "v"]), client);
        request.EndorsingOrganizations.Add("Org9MSP");

        var error = await Assert.ThrowsAsync<RpcException>(() => client.Gateway(Org1).EndorseAsync(request, deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("failed to find any endorsing peers for org(s): Org9MSP", error.Status.Detail);
    }

    [Fact]
    public async Task With_the_other_organisation_down_the_policy_cannot_be_met_and_its_peer_is_named()
    {
        var client = fixture.Client();
        Org2.Faults.EndorsementRpcError = StatusCode.Unavailable;
        try
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.Gateway(Org1).EndorseAsync(Endorse(client.Propose(["Put", "gw-down", "v"]), client), deadline: Deadline())
                .ResponseAsync.WaitAsync(DevNetFixture.Bound));

            Assert.Equal(StatusCode.Aborted, error.StatusCode);
            Assert.Equal("failed to collect enough transaction endorsements, see attached details for more info", error.Status.Detail);
            var detail = Assert.Single(Details(error));
            Assert.Equal((Org2.Address, "Org2MSP"), (detail.Address, detail.MspId));
            Assert.Equal($"rpc error: code = Unavailable desc = injected fault on {Org2.Name}", detail.Message);
        }
        finally
        {
            fixture.Heal();
        }
    }

    [Fact]
    public async Task An_unknown_chaincode_cannot_be_planned_for()
    {
        var client = fixture.Client();
        var proposal = client.Propose(["Put", "k", "v"], chaincode: "nosuch");

        var error = await Assert.ThrowsAsync<RpcException>(() => client.Gateway(Org1).EndorseAsync(Endorse(proposal, client), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode nosuch in channel mychannel", error.Status.Detail);
    }

    [Fact]
    public async Task A_badly_signed_proposal_is_refused_by_the_gateway_peer_endorser_with_its_words()
    {
        var client = fixture.Client();
        var other = fixture.Client(fixture.Network.User(2));
        var proposal = client.Propose(["Put", "gw-badsig", "v"]);
        var request = new EndorseRequest { TransactionId = proposal.TxId, ChannelId = proposal.ChannelId, ProposedTransaction = proposal.Sign(other.Signer) };

        var error = await Assert.ThrowsAsync<RpcException>(() => client.Gateway(Org1).EndorseAsync(request, deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("failed to endorse transaction, see attached details for more info", error.Status.Detail);
        var detail = Assert.Single(Details(error));
        Assert.Equal((Org1.Address, "Org1MSP", "error validating proposal: access denied: channel [mychannel] creator org [Org1MSP]"),
            (detail.Address, detail.MspId, detail.Message));
    }

    [Fact]
    public async Task Commit_status_waits_for_a_transaction_the_peer_has_not_committed_yet()
    {
        var client = fixture.Client();
        var gateway = client.Gateway(Org2);
        var proposal = client.Propose(["Put", "gw-wait", "v"]);
        var endorsed = await gateway.EndorseAsync(Endorse(proposal, client), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound);

        // Asked before the transaction is even submitted: the answer can only come from the commit.
        using var pending = gateway.CommitStatusAsync(GatewayRequests.CommitStatus(proposal.TxId, proposal.ChannelId, client.Signer), deadline: Deadline());
        Assert.Null(fixture.Network.Peers.Select(p => p.Node).FirstOrDefault(p => p.HasTransaction(proposal.TxId)));
        await gateway.SubmitAsync(Submit(proposal, endorsed, client), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound);

        var status = await pending.ResponseAsync.WaitAsync(DevNetFixture.Bound);
        Assert.Equal(TxValidationCode.Valid, status.Result);
        Assert.Contains(proposal.TxId, TxIdsOf(Org2, status.BlockNumber));
    }

    [Fact]
    public async Task Commit_status_requires_a_valid_signature_by_a_channel_member()
    {
        var client = fixture.Client();
        var gateway = client.Gateway(Org1);
        var good = GatewayRequests.CommitStatus("0000", fixture.Network.ChannelId, client.Signer);

        var unsigned = new SignedCommitStatusRequest { Request = good.Request };
        var otherSigner = new SignedCommitStatusRequest { Request = good.Request, Signature = ByteString.CopyFrom(fixture.Client(fixture.Network.User(2)).Signer.Sign(good.Request.Span)) };
        var foreign = fixture.Client(fixture.Network.CreateForeignIdentity());
        var nonMember = GatewayRequests.CommitStatus("0000", fixture.Network.ChannelId, foreign.Signer);
        var orderer = new CommitStatusRequest { TransactionId = "0000", ChannelId = fixture.Network.ChannelId, Identity = ByteString.CopyFrom(fixture.Network.OrdererNode.Identity.SerializedIdentity) }.ToByteString();
        var ordererSigned = new SignedCommitStatusRequest { Request = orderer, Signature = ByteString.CopyFrom(fixture.Network.OrdererNode.Identity.Sign(orderer.ToByteArray())) };

        foreach (var request in new[] { unsigned, otherSigner, nonMember, ordererSigned })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => gateway.CommitStatusAsync(request, deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound));
            Assert.Equal((StatusCode.PermissionDenied, ReadersRefusal), (error.StatusCode, error.Status.Detail));
        }

        var otherChannel = await Assert.ThrowsAsync<RpcException>(() => gateway.CommitStatusAsync(GatewayRequests.CommitStatus("0000", "nochannel", client.Signer), deadline: Deadline())
            .ResponseAsync.WaitAsync(DevNetFixture.Bound));
        Assert.Equal((StatusCode.PermissionDenied, "Failed to get policy manager for channel [nochannel]"), (otherChannel.StatusCode, otherChannel.Status.Detail));

        var empty = await Assert.ThrowsAsync<RpcException>(() => gateway.CommitStatusAsync(new SignedCommitStatusRequest(), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound));
        Assert.Equal((StatusCode.InvalidArgument, "a commit status request is required"), (empty.StatusCode, empty.Status.Detail));
    }

    [Fact]
    public async Task Chaincode_events_refuse_oldest_and_newest_start_positions_like_a_v2_4_gateway()
    {
        var client = fixture.Client();
        foreach (var (position, name) in new[] { (new SeekPosition { Oldest = new SeekOldest() }, "Oldest"), (new SeekPosition { Newest = new SeekNewest() }, "Newest") })
        {
            using var call = client.Gateway(Org1).ChaincodeEvents(EventsRequest(client, position), deadline: Deadline());
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(DevNetFixture.Bound));
            Assert.Equal((StatusCode.InvalidArgument, $"invalid start position type: *orderer.SeekPosition_{name}"), (error.StatusCode, error.Status.Detail));
        }
    }

    [Fact]
    public async Task Chaincode_events_require_a_signed_request_by_a_channel_member()
    {
        var client = fixture.Client();
        var signed = EventsRequest(client, new SeekPosition { Specified = new SeekSpecified { Number = 0 } });
        signed.Signature = ByteString.CopyFrom(fixture.Client(fixture.Network.User(2)).Signer.Sign(signed.Request.Span));

        using var call = client.Gateway(Org1).ChaincodeEvents(signed, deadline: Deadline());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(DevNetFixture.Bound));

        Assert.Equal((StatusCode.PermissionDenied, ReadersRefusal), (error.StatusCode, error.Status.Detail));
    }

    [Fact]
    public async Task Chaincode_events_stream_per_block_and_resume_after_a_transaction()
    {
        var client = fixture.Client();
        var first = await client.InvokeAsync(["Put", "gw-ev-1", "a"]);
        var second = await client.InvokeAsync(["Put", "gw-ev-2", "b"]);
        var failed = await client.InvokeAsync(["Put", "gw-ev-x", "x"], endorsers: [Org1]);
        var third = await client.InvokeAsync(["Put", "gw-ev-3", "c"]);
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, failed.Verdicts[0].TxValidationCode);
        var firstBlock = TxBlock(Org1, first.TxId);

        var all = await EventsAsync(client, new SeekPosition { Specified = new SeekSpecified { Number = firstBlock } }, null, 3);
        Assert.Equal([first.TxId, second.TxId, third.TxId], all.SelectMany(r => r.Events).Select(e => e.TxId));
        Assert.Equal(["gw-ev-1", "gw-ev-2", "gw-ev-3"], all.SelectMany(r => r.Events).Select(e => e.Payload.ToStringUtf8()));
        Assert.All(all, r => Assert.All(r.Events, e => Assert.Equal(TxBlock(Org1, e.TxId), r.BlockNumber)));
        Assert.All(all.SelectMany(r => r.Events), e => Assert.Equal(("basic", "Put"), (e.ChaincodeId, e.EventName)));

        // after_transaction_id wins over the start position: the stream starts at that transaction's block, after it.
        var resumed = await EventsAsync(client, new SeekPosition { Specified = new SeekSpecified { Number = 0 } }, first.TxId, 2);
        Assert.Equal([second.TxId, third.TxId], resumed.SelectMany(r => r.Events).Select(e => e.TxId));
    }

    [Fact]
    public async Task Submit_checks_the_signature_and_reports_the_orderer_answer_as_v2_4_9_does()
    {
        var client = fixture.Client();
        var gateway = client.Gateway(Org1);
        var proposal = client.Propose(["Put", "gw-submit", "v"]);
        var endorsed = await gateway.EndorseAsync(Endorse(proposal, client), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound);

        var unsigned = new SubmitRequest { TransactionId = proposal.TxId, ChannelId = proposal.ChannelId, PreparedTransaction = endorsed.PreparedTransaction };
        var error = await Assert.ThrowsAsync<RpcException>(() => gateway.SubmitAsync(unsigned, deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound));
        Assert.Equal((StatusCode.InvalidArgument, "prepared transaction must be signed"), (error.StatusCode, error.Status.Detail));

        // Signed by someone else: the orderer's Writers check refuses it, and the gateway passes the refusal on.
        var forged = Submit(proposal, endorsed, fixture.Client(fixture.Network.User(2)));
        error = await Assert.ThrowsAsync<RpcException>(() => gateway.SubmitAsync(forged, deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound));
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal($"received unsuccessful response from orderer: status=FORBIDDEN, info={Orderer.BroadcastService.WritersPolicyFailure}", error.Status.Detail);

        fixture.Network.Orderer.Faults.BroadcastStatus = Status.ServiceUnavailable;
        fixture.Network.Orderer.Faults.BroadcastInfo = "consenter not ready";
        try
        {
            error = await Assert.ThrowsAsync<RpcException>(() => gateway.SubmitAsync(Submit(proposal, endorsed, client), deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound));
            Assert.Equal((StatusCode.Unavailable, "no orderers could successfully process transaction"), (error.StatusCode, error.Status.Detail));
        }
        finally
        {
            fixture.Heal();
        }
    }

    [Fact]
    public async Task Evaluate_runs_on_one_peer_without_ordering_and_reports_a_chaincode_error()
    {
        var client = fixture.Client();
        var height = Org1.Height;

        var missing = await EvaluateAsync(client, Org1, ["Put", "gw-eval-only", "v"]);
        Assert.Equal(200, missing.Result.Status);

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(client, Org1, ["Fail", "eval boom"]));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("evaluate call to endorser returned error: chaincode response 500, eval boom", error.Status.Detail);
        var detail = Assert.Single(Details(error));
        Assert.Equal((Org1.Address, "Org1MSP"), (detail.Address, detail.MspId));

        // Nothing was ordered: a later invoke's block is the very next one.
        var later = await client.InvokeAsync(["Put", "gw-eval-after", "v"]);
        Assert.Equal(height, TxBlock(Org1, later.TxId));
    }

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);

    private static EndorseRequest Endorse(UnsignedProposal proposal, Client client) =>
        new() { TransactionId = proposal.TxId, ChannelId = proposal.ChannelId, ProposedTransaction = proposal.Sign(client.Signer) };

    private static SubmitRequest Submit(UnsignedProposal proposal, EndorseResponse endorsed, Client signer)
    {
        var envelope = endorsed.PreparedTransaction.Clone();
        envelope.Signature = ByteString.CopyFrom(signer.Signer.Sign(envelope.Payload.Span));
        return new SubmitRequest { TransactionId = proposal.TxId, ChannelId = proposal.ChannelId, PreparedTransaction = envelope };
    }

    private static SignedChaincodeEventsRequest EventsRequest(Client client, SeekPosition start, string? afterTxId = null)
    {
        var request = new ChaincodeEventsRequest
        {
            ChannelId = "mychannel",
            ChaincodeId = "basic",
            Identity = ByteString.CopyFrom(client.Signer.Creator),
            StartPosition = start,
            AfterTransactionId = afterTxId ?? "",
        }.ToByteString();
        return new SignedChaincodeEventsRequest { Request = request, Signature = ByteString.CopyFrom(client.Signer.Sign(request.Span)) };
    }

    /// <summary>Reads responses until <paramref name="events"/> events have come.</summary>
    private async Task<List<ChaincodeEventsResponse>> EventsAsync(Client client, SeekPosition start, string? afterTxId, int events)
    {
        using var call = client.Gateway(Org1).ChaincodeEvents(EventsRequest(client, start, afterTxId), deadline: Deadline());
        var responses = new List<ChaincodeEventsResponse>();
        while (responses.Sum(r => r.Events.Count) < events)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(DevNetFixture.Bound), "the event stream ended");
            responses.Add(call.ResponseStream.Current);
        }

        return responses;
    }

    private async Task<EvaluateResponse> EvaluateAsync(Client client, DevPeer peer, string[] args, ulong? waitForBlock = null)
    {
        if (waitForBlock is { } block)
        {
            await peer.Node.Blocks.WaitForBlockAsync(block, CancellationToken.None).WaitAsync(DevNetFixture.Bound);
        }

        var proposal = client.Propose(args);
        var request = new EvaluateRequest { TransactionId = proposal.TxId, ChannelId = proposal.ChannelId, ProposedTransaction = proposal.Sign(client.Signer) };
        return await client.Gateway(peer).EvaluateAsync(request, deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound);
    }

    private static ChaincodeEndorsedAction EndorsedAction(Envelope envelope)
    {
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        var transaction = Transaction.Parser.ParseFrom(payload.Data);
        return ChaincodeActionPayload.Parser.ParseFrom(Assert.Single(transaction.Actions).Payload).Action;
    }

    private static RpcStatus DetailsStatus(RpcException e) =>
        RpcStatus.Parser.ParseFrom(e.Trailers.GetValueBytes("grpc-status-details-bin") ?? throw new Xunit.Sdk.XunitException("no grpc-status-details-bin trailer"));

    private static List<ErrorDetail> Details(RpcException e) => DetailsStatus(e).Details.Select(d => d.Unpack<ErrorDetail>()).ToList();

    private static IEnumerable<string> TxIdsOf(DevPeer peer, ulong block) =>
        peer.Node.Blocks.Get(block)!.Data.Data.Select(d => ParsedTransaction.TryParse(d, out _)?.TxId ?? "");

    private static ulong TxBlock(DevPeer peer, string txId)
    {
        for (ulong n = 0; n < peer.Height; n++)
        {
            if (TxIdsOf(peer, n).Contains(txId))
            {
                return n;
            }
        }

        throw new Xunit.Sdk.XunitException($"{txId} is not on {peer.Name}");
    }
}

/// <summary>Three organisations, one peer each: a MAJORITY is any two, so a gateway has other layouts to fall back on.</summary>
public sealed class ThreeOrgDevNetFixture : DevNetFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, Orgs = 3 };
}

/// <summary>The gateway's endorsement plan on a network where the policy can be met in several ways.</summary>
public sealed class GatewayPlanTests(ThreeOrgDevNetFixture fixture) : IClassFixture<ThreeOrgDevNetFixture>
{
    [Fact]
    public async Task With_one_other_organisation_down_the_gateway_endorses_on_the_third_and_the_transaction_is_valid()
    {
        var client = fixture.Client();
        var gateway = client.Gateway(fixture.Network.Peers[0]);
        var org2 = fixture.Network.Peers[1];
        org2.Faults.EndorsementRpcError = StatusCode.Unavailable;
        try
        {
            var proposal = client.Propose(["Put", "gw-3org", "v"]);
            var request = new EndorseRequest { TransactionId = proposal.TxId, ChannelId = proposal.ChannelId, ProposedTransaction = proposal.Sign(client.Signer) };

            var endorsed = await gateway.EndorseAsync(request, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync.WaitAsync(DevNetFixture.Bound);

            var payload = Payload.Parser.ParseFrom(endorsed.PreparedTransaction.Payload);
            var action = ChaincodeActionPayload.Parser.ParseFrom(Transaction.Parser.ParseFrom(payload.Data).Actions[0].Payload).Action;
            var orgs = action.Endorsements
                .Select(e => fixture.Network.Peers.Single(p => p.Node.Identity.SerializedIdentity.AsSpan().SequenceEqual(e.Endorser.Span)).MspId)
                .Order();
            Assert.Equal(["Org1MSP", "Org3MSP"], orgs);

            var envelope = endorsed.PreparedTransaction.Clone();
            envelope.Signature = ByteString.CopyFrom(client.Signer.Sign(envelope.Payload.Span));
            await gateway.SubmitAsync(new SubmitRequest { TransactionId = proposal.TxId, ChannelId = proposal.ChannelId, PreparedTransaction = envelope }, deadline: DateTime.UtcNow.AddSeconds(30))
                .ResponseAsync.WaitAsync(DevNetFixture.Bound);
            var status = await gateway.CommitStatusAsync(GatewayRequests.CommitStatus(proposal.TxId, proposal.ChannelId, client.Signer), deadline: DateTime.UtcNow.AddSeconds(30))
                .ResponseAsync.WaitAsync(DevNetFixture.Bound);
            Assert.Equal(TxValidationCode.Valid, status.Result);
        }
        finally
        {
            fixture.Heal();
        }
    }
}
