using System.Text;
using System.Text.Json;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf.WellKnownTypes;

namespace FabricInvoke.Core.Tests;

/// <summary>golden.json kind "proposal": every deterministic byte the Go CLI produced, rebuilt from the inputs.</summary>
public sealed class GoldenProposalTests
{
    public static TheoryData<string> Cases => Fixtures.GoldenCaseNames("proposal");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Proposal_is_rebuilt_byte_for_byte(string name)
    {
        var c = Fixtures.GoldenCase(name);
        var inputs = c.GetProperty("inputs");
        var expected = c.GetProperty("expected");
        var parts = expected.GetProperty("parts");

        var creator = CreatorFromCertFile(inputs.Str("mspid"), inputs.Str("creator_cert_file"));
        Assert.Equal(expected.B64("creator"), creator);

        var nonce = inputs.B64("nonce");
        Assert.Equal(expected.Str("txid"), TxIds.Compute(nonce, creator));

        var proposal = ProposalBuilder.Create(Invocation(inputs), creator, nonce, Timestamp(inputs), (HeaderType)inputs.GetProperty("header_type_value").GetInt32());

        Assert.Equal(expected.Str("txid"), proposal.TxId);
        Assert.Equal(inputs.Str("channel"), proposal.ChannelId);
        Assert.Equal(parts.B64("channel_header"), proposal.ChannelHeaderBytes.ToByteArray());
        Assert.Equal(parts.B64("signature_header"), proposal.SignatureHeaderBytes.ToByteArray());
        Assert.Equal(parts.B64("header"), proposal.HeaderBytes.ToByteArray());

        var builtPayload = Protos.Peer.Proposal.Parser.ParseFrom(proposal.ProposalBytes).Payload;
        Assert.Equal(parts.B64("chaincode_proposal_payload"), builtPayload.ToByteArray());
        Assert.Equal(parts.B64("chaincode_invocation_spec"), ChaincodeProposalPayload.Parser.ParseFrom(builtPayload).Input.ToByteArray());
        Assert.Equal(parts.B64("chaincode_header_extension"), ChannelHeader.Parser.ParseFrom(proposal.ChannelHeaderBytes).Extension.ToByteArray());
        Assert.Equal(expected.B64("proposal"), proposal.ProposalBytes.ToByteArray());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Creator_from_the_msp_folder_matches(string name)
    {
        var c = Fixtures.GoldenCase(name);
        var inputs = c.GetProperty("inputs");
        var mspFolder = Path.GetDirectoryName(Path.GetDirectoryName(Fixtures.PathOf(inputs.Str("creator_cert_file"))))!;

        var identity = MspFolder.Load(mspFolder, inputs.Str("mspid"));

        Assert.Equal(c.GetProperty("expected").B64("creator"), identity.Creator);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Recorded_signature_verifies_and_is_low_s(string name)
    {
        var c = Fixtures.GoldenCase(name);
        using var certificate = Fixtures.LoadCertificateFile(c.GetProperty("inputs").Str("creator_cert_file"));
        var expected = c.GetProperty("expected");

        Fixtures.AssertValidLowSSignature(certificate, expected.B64("proposal"), expected.B64("signed_proposal_signature"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parsing_the_recorded_proposal_keeps_every_part(string name)
    {
        var c = Fixtures.GoldenCase(name);
        var expected = c.GetProperty("expected");
        var parts = expected.GetProperty("parts");

        var proposal = UnsignedProposal.FromProposalBytes(expected.B64("proposal"));

        Assert.Equal(expected.Str("txid"), proposal.TxId);
        Assert.Equal(c.GetProperty("inputs").Str("channel"), proposal.ChannelId);
        Assert.Equal(expected.B64("proposal"), proposal.ProposalBytes.ToByteArray());
        Assert.Equal(parts.B64("header"), proposal.HeaderBytes.ToByteArray());
        Assert.Equal(parts.B64("channel_header"), proposal.ChannelHeaderBytes.ToByteArray());
        Assert.Equal(parts.B64("signature_header"), proposal.SignatureHeaderBytes.ToByteArray());
    }

    [Fact]
    public void Transient_entries_are_written_in_the_given_order()
    {
        var c = Fixtures.GoldenCase("proposal-transient-2");
        var inputs = c.GetProperty("inputs");
        var creator = CreatorFromCertFile(inputs.Str("mspid"), inputs.Str("creator_cert_file"));
        var invocation = Invocation(inputs);
        var reversed = invocation with { Transient = invocation.Transient.Reverse().ToList() };

        var inOrder = ProposalBuilder.Create(invocation, creator, inputs.B64("nonce"), Timestamp(inputs));
        var otherOrder = ProposalBuilder.Create(reversed, creator, inputs.B64("nonce"), Timestamp(inputs));

        Assert.Equal(c.GetProperty("expected").B64("proposal"), inOrder.ProposalBytes.ToByteArray());
        Assert.NotEqual(inOrder.ProposalBytes, otherOrder.ProposalBytes);
        Assert.Equal(inOrder.TxId, otherOrder.TxId);
        Assert.Equal(inOrder.PayloadWithoutTransient, otherOrder.PayloadWithoutTransient);
    }

    [Fact]
    public void Transient_entry_with_empty_value_still_writes_key_and_value()
    {
        var invocation = new ChaincodeInvocation("ch", "cc", [[1]], [new("k", [])], IsInit: false);

        var proposal = ProposalBuilder.Create(invocation, [9], [8], new Timestamp());
        var payload = Protos.Peer.Proposal.Parser.ParseFrom(proposal.ProposalBytes).Payload.ToByteArray();

        // ... 12 05 0a 01 'k' 12 00: entry {key "k", value ""} with the empty value field present.
        Assert.Equal(new byte[] { 0x12, 0x05, 0x0a, 0x01, (byte)'k', 0x12, 0x00 }, payload[^7..]);
    }

    internal static byte[] CreatorFromCertFile(string mspId, string certFile)
    {
        var pem = File.ReadAllText(Fixtures.PathOf(certFile));
        var fields = System.Security.Cryptography.PemEncoding.Find(pem);
        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        var creator = SigningIdentity.SerializeCreator(mspId, der);

        // The fixture certificates are Go-PEM already, so id_bytes is the file itself.
        var idBytes = FabricInvoke.Protos.Msp.SerializedIdentity.Parser.ParseFrom(creator).IdBytes.ToByteArray();
        Assert.Equal(File.ReadAllBytes(Fixtures.PathOf(certFile)), idBytes);
        return creator;
    }

    internal static ChaincodeInvocation Invocation(JsonElement inputs)
    {
        var args = inputs.GetProperty("args").EnumerateArray().Select(a => Encoding.UTF8.GetBytes(a.GetString()!)).ToList();
        var transient = inputs.GetProperty("transient");
        var ordered = inputs.GetProperty("transient_wire_order").EnumerateArray()
            .Select(k => new KeyValuePair<string, byte[]>(k.GetString()!, transient.B64(k.GetString()!)))
            .ToList();
        Assert.Equal(transient.EnumerateObject().Count(), ordered.Count);
        return new ChaincodeInvocation(inputs.Str("channel"), inputs.Str("chaincode"), args, ordered, inputs.GetProperty("is_init").GetBoolean());
    }

    internal static Timestamp Timestamp(JsonElement inputs)
    {
        var t = inputs.GetProperty("timestamp");
        return new Timestamp { Seconds = t.GetProperty("seconds").GetInt64(), Nanos = t.GetProperty("nanos").GetInt32() };
    }
}
