using System.Text;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Gateway;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Gateway;
using FabricInvoke.Protos.Msp;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using RpcStatus = FabricInvoke.Protos.Rpc.Status;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// The Gateway and channel-configuration messages against what a real Fabric v2.4.9 network sent and received
/// (captured/gateway-*.bin, channel-config.bin): our protos decode them to the recorded facts and re-encode them byte
/// for byte, and the client builds the deterministic requests exactly.
/// </summary>
public sealed class GoldenGatewayTests
{
    private static readonly Dictionary<string, MessageParser> Parsers = new()
    {
        ["gateway.EvaluateRequest"] = EvaluateRequest.Parser,
        ["gateway.EvaluateResponse"] = EvaluateResponse.Parser,
        ["gateway.EndorseRequest"] = EndorseRequest.Parser,
        ["gateway.EndorseResponse"] = EndorseResponse.Parser,
        ["gateway.SubmitRequest"] = SubmitRequest.Parser,
        ["gateway.SubmitResponse"] = SubmitResponse.Parser,
        ["gateway.SignedCommitStatusRequest"] = SignedCommitStatusRequest.Parser,
        ["gateway.CommitStatusResponse"] = CommitStatusResponse.Parser,
        ["gateway.SignedChaincodeEventsRequest"] = SignedChaincodeEventsRequest.Parser,
        ["gateway.ChaincodeEventsResponse"] = ChaincodeEventsResponse.Parser,
        ["google.rpc.Status"] = RpcStatus.Parser,
        ["common.Config"] = Config.Parser,
    };

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var e in Fixtures.CapturedEntries().Where(e => Parsers.ContainsKey(e.Str("message_type"))))
        {
            data.Add(e.Str("file"));
        }

        return data;
    }

    [Fact]
    public void Every_gateway_status_and_config_fixture_is_covered()
    {
        Assert.Equal(13, Files().Count);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Reencodes_to_identical_bytes_with_no_unknown_fields(string file)
    {
        var bytes = Fixtures.Captured(file);
        var parser = Parsers[Fixtures.CapturedEntry(file).Str("message_type")];

        Assert.Equal(bytes, parser.WithDiscardUnknownFields(true).ParseFrom(bytes).ToByteArray());
    }

    [Fact]
    public void Evaluate_request_carries_the_proposal_and_the_response_its_answer()
    {
        var facts = Fixtures.CapturedEntry("captured/gateway-evaluate-request.bin").GetProperty("facts");
        var request = EvaluateRequest.Parser.ParseFrom(Fixtures.Captured("gateway-evaluate-request.bin"));
        Assert.Equal(facts.Str("txid"), request.TransactionId);
        Assert.Equal(request.TransactionId, UnsignedProposal.FromProposalBytes(request.ProposedTransaction.ProposalBytes.Span).TxId);

        var response = EvaluateResponse.Parser.ParseFrom(Fixtures.Captured("gateway-evaluate-response.bin"));
        var expected = Fixtures.CapturedEntry("captured/gateway-evaluate-response.bin").GetProperty("facts");
        Assert.Equal(expected.GetProperty("result_status").GetInt32(), response.Result.Status);
        Assert.Equal(expected.Str("result_payload_utf8"), response.Result.Payload.ToStringUtf8());
    }

    [Fact]
    public void The_prepared_transaction_signed_by_the_client_is_what_Submit_carried()
    {
        var endorseRequest = EndorseRequest.Parser.ParseFrom(Fixtures.Captured("gateway-endorse-request.bin"));
        var endorseResponse = EndorseResponse.Parser.ParseFrom(Fixtures.Captured("gateway-endorse-response.bin"));
        var submit = SubmitRequest.Parser.ParseFrom(Fixtures.Captured("gateway-submit-request.bin"));
        var facts = Fixtures.CapturedEntry("captured/gateway-endorse-response.bin").GetProperty("facts");
        Assert.Equal(0, facts.GetProperty("prepared_signature_len").GetInt32());
        Assert.True(endorseResponse.PreparedTransaction.Signature.IsEmpty);

        var signer = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");
        var proposal = ProposalFrom(endorseRequest.ProposedTransaction, signer);
        var endorsement = new PeerEndorsement("127.0.0.1:7051", null, 200, "", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        var endorsed = EndorsedTransaction.FromGateway(proposal, endorseResponse.PreparedTransaction, endorsement, TimeSpan.Zero);
        Assert.Equal(200, endorsed.Result.Status);

        // The payload goes to the orderer unchanged; only the client's signature is added (random k: verify, don't compare).
        Assert.Equal(submit.PreparedTransaction.Payload, endorsed.Envelope.Payload);
        Fixtures.AssertValidLowSSignature(signer.Certificate, endorsed.Envelope.Payload.Span, endorsed.Envelope.Signature.ToByteArray());
        Fixtures.AssertValidLowSSignature(signer.Certificate, submit.PreparedTransaction.Payload.Span, submit.PreparedTransaction.Signature.ToByteArray());
        Assert.Equal(facts.GetProperty("endorsement_mspids_in_order").EnumerateArray().Select(m => m.GetString()), endorsed.EndorserMspIds);
        var header = Payload.Parser.ParseFrom(endorsed.Envelope.Payload).Header;
        Assert.Equal(proposal.Unsigned.HeaderBytes, header.ToByteString());
    }

    [Fact]
    public void The_commit_status_request_is_rebuilt_byte_for_byte_by_the_client()
    {
        var c = Fixtures.GoldenCase("gateway-commit-status-request");
        var inputs = c.GetProperty("inputs");
        var expected = c.GetProperty("expected");
        var signer = MspFolder.Load(Fixtures.Org1Msp, inputs.Str("mspid"));

        var signed = GatewayRequests.CommitStatus(inputs.Str("transaction_id"), inputs.Str("channel_id"), signer);

        Assert.Equal(expected.B64("request"), signed.Request.ToByteArray());
        Fixtures.AssertValidLowSSignature(signer.Certificate, signed.Request.Span, signed.Signature.ToByteArray());

        var captured = SignedCommitStatusRequest.Parser.ParseFrom(Fixtures.Captured("gateway-commitstatus-request.bin"));
        var request = CommitStatusRequest.Parser.ParseFrom(captured.Request);
        Assert.Equal(Fixtures.CapturedEntry("captured/gateway-commitstatus-request.bin").GetProperty("facts").Str("txid"), request.TransactionId);
        Assert.Equal(signer.Creator, request.Identity.ToByteArray());
        var response = CommitStatusResponse.Parser.ParseFrom(Fixtures.Captured("gateway-commitstatus-response.bin"));
        Assert.Equal((TxValidationCode.Valid, 51UL), (response.Result, response.BlockNumber));
    }

    [Fact]
    public void A_real_endorsement_failure_yields_every_error_detail()
    {
        var facts = Fixtures.CapturedEntry("captured/gateway-endorse-fail-status-details.bin").GetProperty("facts");

        var details = GatewayStatus.Details(Fixtures.Captured("gateway-endorse-fail-status-details.bin"));

        var expected = facts.GetProperty("details").EnumerateArray().Select(d => (d.Str("address"), d.Str("msp_id"), d.Str("message")));
        Assert.Equal(expected, details.Select(d => (d.Address, d.MspId!, d.Message)));
        Assert.Equal("127.0.0.1:7051 (Org1MSP): chaincode response 500, gateway fixture boom", details[0].ToString());
    }

    [Fact]
    public void The_chaincode_events_request_is_signed_by_the_identity_it_names_and_the_response_holds_the_event()
    {
        // This pair comes from a rebuilt network: verify against the certificate embedded in the request.
        var signed = SignedChaincodeEventsRequest.Parser.ParseFrom(Fixtures.Captured("gateway-chaincodeevents-request.bin"));
        var request = ChaincodeEventsRequest.Parser.ParseFrom(signed.Request);
        var facts = Fixtures.CapturedEntry("captured/gateway-chaincodeevents-request.bin").GetProperty("facts");
        Assert.Equal((facts.Str("channel_id"), facts.Str("chaincode_id"), facts.GetProperty("start_block").GetUInt64()),
            (request.ChannelId, request.ChaincodeId, request.StartPosition.Specified.Number));
        var identity = SerializedIdentity.Parser.ParseFrom(request.Identity);
        Assert.Equal(facts.Str("mspid"), identity.Mspid);
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(identity.IdBytes.ToStringUtf8());
        Fixtures.AssertValidLowSSignature(certificate, signed.Request.Span, signed.Signature.ToByteArray());

        var response = ChaincodeEventsResponse.Parser.ParseFrom(Fixtures.Captured("gateway-chaincodeevents-response.bin"));
        var expected = Fixtures.CapturedEntry("captured/gateway-chaincodeevents-response.bin").GetProperty("facts");
        Assert.Equal(expected.GetProperty("block_number").GetUInt64(), response.BlockNumber);
        var e = Assert.Single(response.Events);
        Assert.Equal(expected.GetProperty("events")[0].Str("payload_utf8"), e.Payload.ToStringUtf8());
    }

    [Fact]
    public void The_client_builds_a_chaincode_events_request_of_the_same_shape()
    {
        var signer = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");

        var signed = GatewayRequests.ChaincodeEvents("mychannel", "basic", SeekFrom.Block(231), signer);

        var captured = ChaincodeEventsRequest.Parser.ParseFrom(SignedChaincodeEventsRequest.Parser.ParseFrom(Fixtures.Captured("gateway-chaincodeevents-request.bin")).Request);
        var ours = ChaincodeEventsRequest.Parser.ParseFrom(signed.Request);
        Assert.Equal(captured.StartPosition, ours.StartPosition);
        Assert.Equal((captured.ChannelId, captured.ChaincodeId), (ours.ChannelId, ours.ChaincodeId));
        Assert.Equal(signer.Creator, ours.Identity.ToByteArray());
        Fixtures.AssertValidLowSSignature(signer.Certificate, signed.Request.Span, signed.Signature.ToByteArray());
    }

    [Fact]
    public void Chaincode_events_from_oldest_or_newest_ask_a_gateway_for_what_it_accepts()
    {
        // A v2.4.9 gateway answers SeekOldest and SeekNewest with InvalidArgument "invalid start position type".
        var signer = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");

        var oldest = ChaincodeEventsRequest.Parser.ParseFrom(GatewayRequests.ChaincodeEvents("mychannel", "basic", SeekFrom.Oldest, signer).Request);
        var newest = ChaincodeEventsRequest.Parser.ParseFrom(GatewayRequests.ChaincodeEvents("mychannel", "basic", SeekFrom.Newest, signer).Request);
        var block = ChaincodeEventsRequest.Parser.ParseFrom(GatewayRequests.ChaincodeEvents("mychannel", "basic", SeekFrom.Block(7), signer, "tx-7").Request);

        Assert.Equal(FabricInvoke.Protos.Orderer.SeekPosition.TypeOneofCase.Specified, oldest.StartPosition.TypeCase);
        Assert.Equal(0UL, oldest.StartPosition.Specified.Number);
        Assert.Equal(FabricInvoke.Protos.Orderer.SeekPosition.TypeOneofCase.NextCommit, newest.StartPosition.TypeCase);
        Assert.Equal((FabricInvoke.Protos.Orderer.SeekPosition.TypeOneofCase.Specified, 7UL, "tx-7"),
            (block.StartPosition.TypeCase, block.StartPosition.Specified.Number, block.AfterTransactionId));
    }

    [Fact]
    public void The_orderer_endpoints_are_read_from_a_real_channel_configuration()
    {
        var facts = Fixtures.CapturedEntry("captured/channel-config.bin").GetProperty("facts");

        var endpoints = ChannelConfigReader.OrdererEndpoints(ByteString.CopyFrom(Fixtures.Captured("channel-config.bin")));

        var global = facts.GetProperty("channel_orderer_addresses (bundle.ChannelConfig().OrdererAddresses(), what the v2.4.9 CLI uses)").EnumerateArray().Select(a => a.GetString()!);
        var perOrg = facts.GetProperty("orderer_org_endpoints (/Channel/Orderer/<org>/Endpoints)").EnumerateObject().SelectMany(o => o.Value.EnumerateArray()).Select(a => a.GetString()!);
        Assert.Equal(perOrg.Concat(global).Distinct(), endpoints);
        Assert.Equal(["127.0.0.1:7050"], endpoints);
    }

    [Fact]
    public void The_cscc_answer_of_a_real_peer_is_a_channel_configuration()
    {
        var response = ProposalResponse.Parser.ParseFrom(Fixtures.Captured("cli-run3-cscc-proposalresponse.bin"));

        Assert.Equal(["127.0.0.1:7050"], ChannelConfigReader.OrdererEndpoints(response.Response.Payload));
    }

    [Fact]
    public void Orderer_discovery_asks_exactly_what_the_peer_CLI_asks()
    {
        var c = Fixtures.GoldenCase("cli-proposal-cscc-getchannelconfig");
        var inputs = c.GetProperty("inputs");
        var signer = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");

        var proposal = ProposalBuilder.Create(OrdererDiscovery.Request("mychannel"), signer.Creator, inputs.B64("nonce"), GoldenProposalTests.Timestamp(inputs), HeaderType.Config);

        Assert.Equal(c.GetProperty("expected").B64("proposal"), proposal.ProposalBytes.ToByteArray());
    }

    private static SignedChaincodeProposal ProposalFrom(SignedProposal signed, SigningIdentity signer) =>
        SignedChaincodeProposal.FromSigned(signed, signer);
}
