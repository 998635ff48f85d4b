using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using Google.Protobuf;

namespace FabricInvoke.Core.Tests;

/// <summary>golden.json kind "seekinfo": the DeliverFiltered seek envelope the Go CLI sends.</summary>
public sealed class GoldenSeekInfoTests
{
    public static TheoryData<string> Cases => Fixtures.GoldenCaseNames("seekinfo");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Seek_payload_is_rebuilt_byte_for_byte(string name)
    {
        var c = Fixtures.GoldenCase(name);
        var inputs = c.GetProperty("inputs");
        var expected = c.GetProperty("expected");
        var parts = expected.GetProperty("parts");
        var creator = GoldenProposalTests.CreatorFromCertFile(inputs.Str("mspid"), inputs.Str("creator_cert_file"));
        var tlsHash = Convert.FromHexString(inputs.Str("tls_cert_hash"));
        if (inputs.Str("tls_cert_file").Length > 0)
        {
            Assert.Equal(tlsHash, ProductTlsHash(inputs.Str("tls_cert_file")));
        }

        var payload = SeekEnvelopeBuilder.CreatePayload(inputs.Str("channel"), creator, inputs.B64("nonce"), GoldenProposalTests.Timestamp(inputs), tlsHash);

        var parsed = Payload.Parser.ParseFrom(payload);
        Assert.Equal(parts.B64("channel_header"), parsed.Header.ChannelHeader.ToByteArray());
        Assert.Equal(parts.B64("signature_header"), parsed.Header.SignatureHeader.ToByteArray());
        Assert.Equal(parts.B64("seek_info"), parsed.Data.ToByteArray());
        Assert.Equal(expected.B64("payload"), payload.ToByteArray());
        var envelope = new Envelope { Payload = payload, Signature = ByteString.CopyFrom(expected.B64("signature")) };
        Assert.Equal(parts.B64("envelope"), envelope.ToByteArray());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Recorded_signature_verifies_and_is_low_s(string name)
    {
        var c = Fixtures.GoldenCase(name);
        using var certificate = Fixtures.LoadCertificateFile(c.GetProperty("inputs").Str("creator_cert_file"));
        var expected = c.GetProperty("expected");

        Fixtures.AssertValidLowSSignature(certificate, expected.B64("payload"), expected.B64("signature"));
    }

    [Fact]
    public void Signed_envelope_truncates_time_to_seconds_and_draws_a_fresh_nonce()
    {
        var signer = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_795_464_619_987);
        var hash = ProductTlsHash("identities/org1-user1/tls/client.crt");

        var a = SeekEnvelopeBuilder.CreateSignedEnvelope("mychannel", signer, now, hash);
        var b = SeekEnvelopeBuilder.CreateSignedEnvelope("mychannel", signer, now, hash);

        var header = Payload.Parser.ParseFrom(a.Payload).Header;
        var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
        Assert.Equal(1_795_464_619, channelHeader.Timestamp.Seconds);
        Assert.Equal(0, channelHeader.Timestamp.Nanos);
        Assert.Equal((int)HeaderType.DeliverSeekInfo, channelHeader.Type);
        Assert.Equal("mychannel", channelHeader.ChannelId);
        Assert.Equal(string.Empty, channelHeader.TxId);
        Assert.Equal(hash, channelHeader.TlsCertHash.ToByteArray());
        var signatureHeader = SignatureHeader.Parser.ParseFrom(header.SignatureHeader);
        Assert.Equal(signer.Creator, signatureHeader.Creator.ToByteArray());
        Assert.Equal(TxIds.NonceLength, signatureHeader.Nonce.Length);
        Assert.NotEqual(signatureHeader.Nonce, SignatureHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(b.Payload).Header.SignatureHeader).Nonce);
        var seek = SeekInfo.Parser.ParseFrom(Payload.Parser.ParseFrom(a.Payload).Data);
        Assert.Equal(SeekPosition.TypeOneofCase.Newest, seek.Start.TypeCase);
        Assert.Equal(ulong.MaxValue, seek.Stop.Specified.Number);
        Fixtures.AssertValidLowSSignature(signer.Certificate, a.Payload.Span, a.Signature.ToByteArray());
    }

    [Fact]
    public void Tls_cert_hash_of_the_user1_client_cert_is_the_recorded_one()
    {
        Assert.Equal(
            "5a3e886231d517dc8ab7b7f4bacd2384b09c99294daa58d08dd4c040879083c1",
            Convert.ToHexStringLower(ProductTlsHash("identities/org1-user1/tls/client.crt")));
    }

    /// <summary>
    /// The tls_cert_hash exactly as an invoke computes it: the mutual-TLS client certificate and key loaded into a
    /// peer connection, hashed by that connection (no network traffic: connections open on first use).
    /// </summary>
    private static byte[] ProductTlsHash(string certFile)
    {
        var cert = Fixtures.PathOf(certFile);
        var key = Path.Combine(Path.GetDirectoryName(cert)!, "client.key");
        using var tls = new FabricInvoke.Core.Connections.TlsMaterial();
        using var connection = FabricInvoke.Core.Connections.NodeConnection.Create(
            "peer",
            new FabricInvoke.Core.Configuration.NodeEndpoint(FabricInvoke.Core.Configuration.Endpoint.Parse("127.0.0.1:7051", "peer"), Fixtures.PathOf("identities/org1-user1/tls/ca.crt"), null),
            new FabricInvoke.Core.Configuration.TransportSettings(TimeSpan.FromSeconds(1), new FabricInvoke.Core.Configuration.ClientCertificateFiles(cert, key)),
            FabricInvoke.Core.Diagnostics.IProgressObserver.None,
            TimeProvider.System,
            tls);
        return connection.ClientCertificateHash();
    }
}
