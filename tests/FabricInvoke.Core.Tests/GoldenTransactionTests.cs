using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.Core.Tests;

/// <summary>golden.json kind "transaction": the envelope payload the Go CLI broadcast, rebuilt from the proposal and the real responses.</summary>
public sealed class GoldenTransactionTests
{
    public static TheoryData<string> Cases => Fixtures.GoldenCaseNames("transaction");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Envelope_payload_is_rebuilt_byte_for_byte(string name)
    {
        var (proposal, responses, expected) = Load(name);
        var parts = expected.GetProperty("parts");

        var payload = TransactionBuilder.CreatePayload(proposal, responses);

        Assert.Equal(expected.Str("txid"), proposal.TxId);
        Assert.Equal(parts.B64("chaincode_proposal_payload_without_transient"), proposal.PayloadWithoutTransient.ToByteArray());
        var transaction = Payload.Parser.ParseFrom(payload).Data;
        Assert.Equal(parts.B64("transaction"), transaction.ToByteArray());
        Assert.Equal(parts.B64("chaincode_action_payload"), Protos.Peer.Transaction.Parser.ParseFrom(transaction).Actions[0].Payload.ToByteArray());
        Assert.Equal(expected.B64("envelope_payload"), payload.ToByteArray());

        var envelope = new Envelope { Payload = payload, Signature = ByteString.CopyFrom(expected.B64("envelope_signature")) };
        Assert.Equal(parts.B64("envelope"), envelope.ToByteArray());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Recorded_signature_verifies_and_is_low_s(string name)
    {
        var c = Fixtures.GoldenCase(name);
        using var certificate = Fixtures.LoadCertificateFile(c.GetProperty("inputs").Str("creator_cert_file"));
        var expected = c.GetProperty("expected");

        Fixtures.AssertValidLowSSignature(certificate, expected.B64("envelope_payload"), expected.B64("envelope_signature"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Our_signed_envelope_carries_the_same_payload_and_a_valid_signature(string name)
    {
        var (proposal, responses, expected) = Load(name);
        var signer = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");

        var envelope = TransactionBuilder.CreateSignedEnvelope(proposal, responses, signer);

        Assert.Equal(expected.B64("envelope_payload"), envelope.Payload.ToByteArray());
        Fixtures.AssertValidLowSSignature(signer.Certificate, envelope.Payload.Span, envelope.Signature.ToByteArray());
    }

    [Fact]
    public void Duplicate_endorsers_are_dropped_keeping_first_order()
    {
        var (proposal, responses, expected) = Load("transaction-put");

        var payload = TransactionBuilder.CreatePayload(proposal, [responses[0], responses[0], responses[1], responses[1]]);

        Assert.Equal(expected.B64("envelope_payload"), payload.ToByteArray());
    }

    [Fact]
    public void Different_response_payloads_fail_with_endorsement_kind()
    {
        var (proposal, responses, _) = Load("transaction-put");
        var (_, otherResponses, _) = Load("transaction-put-transient-org2-first");

        var e = Assert.Throws<FabricInvokeException>(() => TransactionBuilder.CreatePayload(proposal, [responses[0], otherResponses[0]]));

        Assert.Equal(FailureKind.Endorsement, e.Kind);
        Assert.StartsWith("ProposalResponsePayloads do not match", e.Message, StringComparison.Ordinal);
        Assert.Equal(proposal.TxId, e.TxId);
    }

    [Fact]
    public void A_failed_response_is_refused()
    {
        var (proposal, responses, _) = Load("transaction-put");
        var failed = ProposalResponse.Parser.ParseFrom(Fixtures.Captured("pr-fail-500-peer0.org1.bin"));

        var e = Assert.Throws<FabricInvokeException>(() => TransactionBuilder.CreatePayload(proposal, [responses[0], failed]));

        Assert.Equal(FailureKind.Endorsement, e.Kind);
        Assert.Contains("500", e.Message, StringComparison.Ordinal);
        Assert.Contains("boom from fixture", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signer_must_be_the_proposal_creator()
    {
        var (proposal, responses, _) = Load("transaction-put");
        var org2 = MspFolder.Load(Fixtures.Org2Msp, "Org2MSP");

        Assert.Throws<ArgumentException>(() => TransactionBuilder.CreateSignedEnvelope(proposal, responses, org2));
    }

    [Fact]
    public void Transient_map_is_left_out_of_the_transaction_and_the_proposal_hash_matches()
    {
        var (proposal, responses, _) = Load("transaction-put-transient-org2-first");
        var inProposal = ChaincodeProposalPayload.Parser.ParseFrom(Protos.Peer.Proposal.Parser.ParseFrom(proposal.ProposalBytes).Payload);
        Assert.NotEmpty(inProposal.TransientMap);

        var hash = System.Security.Cryptography.SHA256.HashData(
            [.. proposal.ChannelHeaderBytes.Span, .. proposal.SignatureHeaderBytes.Span, .. proposal.PayloadWithoutTransient.Span]);

        foreach (var r in responses)
        {
            Assert.Equal(hash, ProposalResponsePayload.Parser.ParseFrom(r.Payload).ProposalHash.ToByteArray());
        }
    }

    private static (UnsignedProposal Proposal, List<ProposalResponse> Responses, System.Text.Json.JsonElement Expected) Load(string name)
    {
        var c = Fixtures.GoldenCase(name);
        var inputs = c.GetProperty("inputs");
        var proposal = UnsignedProposal.FromProposalBytes(inputs.B64("proposal"));
        var responses = inputs.GetProperty("responses").EnumerateArray()
            .Select(r => ProposalResponse.Parser.ParseFrom(Convert.FromBase64String(r.GetString()!)))
            .ToList();
        return (proposal, responses, c.GetProperty("expected"));
    }
}
