using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Tests;

/// <summary>
/// Fabric 3 MSPs accept Ed25519 identities: DevNet issues one as cryptogen 3.0 does (PKCS#8 Ed25519 key, Ed25519
/// certificate from the org's ECDSA CA), verifies its signatures (Ed25519 over the bytes themselves) at the endorser,
/// the deliver service and the orderer, and refuses a signature that does not verify, as it refuses a bad ECDSA one.
/// </summary>
public sealed class Ed25519IdentityTests(DevNetFixture fixture) : IClassFixture<DevNetFixture>
{
    [Fact]
    public void The_identity_is_written_as_cryptogen_3_writes_an_ed25519_user_and_reloads_unchanged()
    {
        var identity = fixture.Network.CreateEd25519Identity(2);
        var keyFile = Path.Combine(identity.MspDirectory, "keystore", "priv_sk");
        var certFile = Path.Combine(identity.MspDirectory, "signcerts", "Ed25519User1@org2.example.com-cert.pem");
        var key = File.ReadAllText(keyFile);
        var cert = File.ReadAllText(certFile);

        using var certificate = PemFiles.ReadCertificate(certFile);
        Assert.Equal("1.3.101.112", certificate.PublicKey.Oid.Value);
        Assert.Equal("1.2.840.10045.4.3.2", certificate.SignatureAlgorithm.Value);
        using var ca = PemFiles.ReadCertificate(Path.Combine(identity.MspDirectory, "cacerts", "ca.org2.example.com-cert.pem"));
        Assert.True(MaterialChecks.IsIssuedBy(certificate, ca));
        Assert.True(Ed25519Signatures.KeyMatches(certificate, PemFiles.ReadEd25519PrivateKey(keyFile)));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", key, StringComparison.Ordinal);

        // Its TLS client certificate is Ed25519 too, from the org's TLS CA, its key PKCS#8 (cryptogen 3.0's tls/client.*).
        using var tlsCertificate = PemFiles.ReadCertificate(identity.TlsCertFile);
        Assert.Equal("1.3.101.112", tlsCertificate.PublicKey.Oid.Value);
        using var tlsCa = PemFiles.ReadCertificate(identity.TlsCaFile);
        Assert.True(MaterialChecks.IsIssuedBy(tlsCertificate, tlsCa));
        Assert.True(Ed25519Signatures.KeyMatches(tlsCertificate, PemFiles.ReadEd25519PrivateKey(identity.TlsKeyFile)));
        var tlsKey = File.ReadAllText(identity.TlsKeyFile);

        var again = fixture.Network.CreateEd25519Identity(2);
        Assert.Equal(identity, again);
        Assert.Equal(tlsKey, File.ReadAllText(identity.TlsKeyFile));
        Assert.Equal(key, File.ReadAllText(keyFile));
        Assert.Equal(cert, File.ReadAllText(certFile));
    }

    [Fact]
    public async Task An_ed25519_user_endorses_orders_and_sees_the_commit()
    {
        var client = fixture.Client(fixture.Network.CreateEd25519Identity(1));
        Assert.Equal("Ed25519", client.Signer.KeyAlgorithm);

        var outcome = await client.InvokeAsync(["Put", "ed-k", "ed-v"]);

        Assert.All(outcome.Responses, r => Assert.Equal(200, r.Response.Status));
        Assert.All(outcome.Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
    }

    [Fact]
    public async Task A_signature_that_does_not_verify_is_refused_everywhere()
    {
        var client = fixture.Client(fixture.Network.CreateEd25519Identity(2));
        var peer = fixture.Network.Peers[0];

        var signed = client.Propose(["Put", "ed-bad", "v"]).Sign(client.Signer);
        signed.Signature = ByteString.CopyFrom(Flip(signed.Signature));
        var error = await Assert.ThrowsAsync<RpcException>(() => client.EndorseAsync(peer, signed));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("error validating proposal: access denied: channel [mychannel] creator org [Org2MSP]", error.Status.Detail);

        var seek = client.Seek();
        seek.Signature = ByteString.CopyFrom(Flip(seek.Signature));
        using var deliver = await client.DeliverAsync(peer, seek);
        Assert.Equal(Status.Forbidden, (await deliver.NextAsync())!.Status);

        var proposal = client.Propose(["Put", "ed-bad2", "v"]);
        var envelope = client.Transaction(proposal, await client.EndorseAllAsync(proposal));
        envelope.Signature = ByteString.CopyFrom(Flip(envelope.Signature));
        var broadcast = await client.BroadcastAsync(envelope);
        Assert.Equal(Status.Forbidden, broadcast[0].Status);
    }

    private static byte[] Flip(ByteString signature)
    {
        var bytes = signature.ToByteArray();
        bytes[^1] ^= 0x01;
        return bytes;
    }
}
