using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Protos.Msp;
using Org.BouncyCastle.Crypto.Parameters;
using Rfc8032 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// Fabric 3 identities: an Ed25519 MSP folder exactly as cryptogen 3.0 writes it (Org2 User1 of a real 3.0.0 network,
/// Fixtures/identities/fabric3-org2-user1) loads and signs the message itself, as Go's crypto/ed25519 verifies it;
/// Ed25519 TLS certificates are accepted from servers, and load as client certificates for BouncyCastle's TLS.
/// </summary>
public sealed class Ed25519IdentityTests
{
    private static readonly string Msp = Fixtures.PathOf("identities/fabric3-org2-user1/msp");
    private static readonly string CertFile = Path.Combine(Msp, "signcerts", "User1@org2.example.com-cert.pem");
    private static readonly string KeyFile = Path.Combine(Msp, "keystore", "priv_sk");

    [Fact]
    public void A_cryptogen_3_ed25519_msp_folder_loads_and_signs_the_message_itself()
    {
        var identity = MspFolder.Load(Msp, "Org2MSP");

        Assert.Equal("Ed25519", identity.KeyAlgorithm);
        Assert.Equal(KeyFile, identity.KeyFile);
        Assert.Equal("CN=User1@org2.example.com, OU=client, L=San Francisco, S=California, C=US", identity.Certificate.Subject);
        var creator = SerializedIdentity.Parser.ParseFrom(identity.Creator);
        Assert.Equal("Org2MSP", creator.Mspid);
        Assert.Equal(File.ReadAllText(CertFile), creator.IdBytes.ToStringUtf8());

        var message = "a proposal's bytes"u8.ToArray();
        var signature = identity.Sign(message);

        // Checked with BouncyCastle's RFC 8032 primitive and the key read from the certificate by its own parser.
        var publicKey = CertificatePublicKey(File.ReadAllText(CertFile));
        Assert.Equal(Rfc8032.SignatureSize, signature.Length);
        Assert.True(Rfc8032.Verify(signature, 0, publicKey, 0, message, 0, message.Length));
        // No pre-hash: it is not a signature of SHA-256(message).
        var digest = SHA256.HashData(message);
        Assert.False(Rfc8032.Verify(signature, 0, publicKey, 0, digest, 0, digest.Length));
        // Deterministic, as Ed25519 is (Go's signatures of the same bytes are the same bytes).
        Assert.Equal(signature, identity.Sign(message));
    }

    [Fact]
    public void From_pem_builds_the_same_ed25519_identity()
    {
        var fromFolder = MspFolder.Load(Msp, "Org2MSP");
        var fromPem = SigningIdentity.FromPem("Org2MSP", File.ReadAllText(CertFile), File.ReadAllText(KeyFile));

        Assert.Equal(fromFolder.Creator, fromPem.Creator);
        Assert.Equal(fromFolder.Sign("m"u8), fromPem.Sign("m"u8));
    }

    [Fact]
    public void An_ed25519_key_of_another_certificate_is_not_taken_for_the_identity()
    {
        using var msp = new TempFolder();
        msp.Write("signcerts/cert.pem", File.ReadAllText(CertFile));
        var other = new Ed25519PrivateKeyParameters(new Org.BouncyCastle.Security.SecureRandom());
        msp.Write("keystore/other_sk", Pem("PRIVATE KEY", Pkcs8(other.GetEncoded())));

        var e = Assert.Throws<FabricInvokeException>(() => MspFolder.Load(msp.Path, "Org2MSP"));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Contains("no private key in the MSP keystore matches the signing certificate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_matching_ed25519_key_is_found_among_others_in_the_keystore()
    {
        using var msp = new TempFolder();
        msp.Write("signcerts/cert.pem", File.ReadAllText(CertFile));
        msp.Write("keystore/a_other_sk", Pem("PRIVATE KEY", Pkcs8(new Ed25519PrivateKeyParameters(new Org.BouncyCastle.Security.SecureRandom()).GetEncoded())));
        msp.Write("keystore/b_sk", File.ReadAllText(KeyFile));

        var identity = MspFolder.Load(msp.Path, "Org2MSP");

        Assert.Equal(Path.Combine(msp.Path, "keystore", "b_sk"), identity.KeyFile);
        Assert.Equal(MspFolder.Load(Msp, "Org2MSP").Sign("m"u8), identity.Sign("m"u8));
    }

    [Fact]
    public void A_malformed_ed25519_key_is_a_config_error_naming_the_file()
    {
        using var msp = new TempFolder();
        msp.Write("signcerts/cert.pem", File.ReadAllText(CertFile));
        var key = msp.Write("keystore/priv_sk", Pem("PRIVATE KEY", Pkcs8(new byte[31])));

        var e = Assert.Throws<FabricInvokeException>(() => MspFolder.Load(msp.Path, "Org2MSP"));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Contains("cannot parse Ed25519 private key (31 bytes, expected 32)", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_with_another_key_type_names_the_supported_ones()
    {
        using var rsa = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=rsa", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var e = Assert.Throws<FabricInvokeException>(() =>
            SigningIdentity.FromPem("Org1MSP", certificate.ExportCertificatePem(), rsa.ExportPkcs8PrivateKeyPem()));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Contains("only ECDSA P-256/P-384 and Ed25519 identities are supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ed25519_server_certificate_chains_to_its_ecdsa_tls_ca_and_passes_the_server_check()
    {
        // peer0.org2's TLS certificate on the real 3.0.0 network: Ed25519 key, issued by Org2's ECDSA TLS CA.
        using var leaf = X509CertificateLoader.LoadCertificateFromFile(Fixtures.PathOf("identities/fabric3-org2-user1/peer0-tls/server.crt"));
        using var root = X509CertificateLoader.LoadCertificateFromFile(Fixtures.PathOf("identities/fabric3-org2-user1/peer0-tls/ca.crt"));
        Assert.Equal("1.3.101.112", leaf.PublicKey.Oid.Value);
        using var chain = new X509Chain { ChainPolicy = ServerCertificateCheck.ChainPolicy([root]) };
        chain.ChainPolicy.VerificationTime = leaf.NotBefore.AddDays(1);

        Assert.True(chain.Build(leaf), string.Join(", ", chain.ChainStatus.Select(s => s.Status)));
        var time = new FixedTime(leaf.NotBefore.AddDays(1));
        Assert.Null(ServerCertificateCheck.Refusal(leaf, chain, SslPolicyErrors.None, "peer0.org2.example.com", "ca.crt", time));
        Assert.Contains(
            "is not valid for host name peer9.org2.example.com",
            ServerCertificateCheck.Refusal(leaf, chain, SslPolicyErrors.None, "peer9.org2.example.com", "ca.crt", time),
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_check_for_bouncycastles_tls_builds_the_chain_as_sslstream_does_and_words_refusals_alike()
    {
        // What Ed25519TlsStream asks about the server: the Ed25519 peer0.org2 certificate of the real 3.0.0 network.
        using var leaf = X509CertificateLoader.LoadCertificateFromFile(Fixtures.PathOf("identities/fabric3-org2-user1/peer0-tls/server.crt"));
        using var root = X509CertificateLoader.LoadCertificateFromFile(Fixtures.PathOf("identities/fabric3-org2-user1/peer0-tls/ca.crt"));
        using var foreign = X509CertificateLoader.LoadCertificateFromFile(Fixtures.PathOf("identities/org1-user1/tls/ca.crt"));
        var time = new FixedTime(leaf.NotBefore.AddDays(1));

        Assert.Null(ServerCertificateCheck.Verify(leaf, [], [root], "peer0.org2.example.com", "ca.crt", time));
        Assert.Equal(
            ServerCertificateCheck.Refusal(leaf, null, SslPolicyErrors.None, "peer9.org2.example.com", "ca.crt", time),
            ServerCertificateCheck.Verify(leaf, [], [root], "peer9.org2.example.com", "ca.crt", time));
        Assert.StartsWith(
            $"the server certificate '{leaf.Subject}' (issued by {leaf.Issuer}) does not chain to the TLS root certificate(s) in other.crt (",
            ServerCertificateCheck.Verify(leaf, [], [foreign], "peer0.org2.example.com", "other.crt", time),
            StringComparison.Ordinal);
        Assert.Equal("the server sent no certificate", ServerCertificateCheck.Verify(null, [], [root], "peer0.org2.example.com", "ca.crt", time));
    }

    [Fact]
    public void An_ed25519_tls_client_certificate_loads_with_its_key_for_bouncycastles_tls()
    {
        var files = new ClientCertificateFiles(
            Fixtures.PathOf("identities/fabric3-org2-user1/tls/client.crt"), Fixtures.PathOf("identities/fabric3-org2-user1/tls/client.key"));

        using var credential = TlsFiles.LoadClientCredential(files);

        Assert.NotNull(credential.Ed25519Key);
        Assert.Equal(CertificatePublicKey(File.ReadAllText(files.CertFile)), credential.Ed25519Key.GeneratePublicKey().GetEncoded());
        var only = Assert.Single(credential.Chain);
        Assert.Same(credential.Certificate, only);
        Assert.False(credential.Certificate.HasPrivateKey);
        Assert.Equal(X509CertificateLoader.LoadCertificateFromFile(files.CertFile).RawData, credential.Certificate.RawData);
    }

    [Fact]
    public void An_ed25519_tls_client_certificate_with_another_key_is_refused_naming_the_key_file()
    {
        // The MSP signing key is Ed25519 too, but not the TLS certificate's.
        var files = new ClientCertificateFiles(Fixtures.PathOf("identities/fabric3-org2-user1/tls/client.crt"), KeyFile);

        var e = Assert.Throws<FabricInvokeException>(() => TlsFiles.LoadClientCredential(files));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Equal($"TLS client key is not an unencrypted PKCS#8 Ed25519 private key matching the TLS client certificate: {KeyFile}", e.Message);
    }

    [Fact]
    public void An_ed25519_tls_client_certificate_with_an_ec_key_is_refused_naming_the_key_file()
    {
        var ecKey = Fixtures.PathOf("identities/fabric3-org2-user1/../org1-user1/tls/client.key");
        var files = new ClientCertificateFiles(Fixtures.PathOf("identities/fabric3-org2-user1/tls/client.crt"), ecKey);

        var e = Assert.Throws<FabricInvokeException>(() => TlsFiles.LoadClientCredential(files));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.StartsWith("TLS client key is not an unencrypted PKCS#8 Ed25519 private key matching the TLS client certificate: ", e.Message, StringComparison.Ordinal);
    }

    private static byte[] CertificatePublicKey(string pem)
    {
        var certificate = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(Encoding.ASCII.GetBytes(pem));
        return ((Ed25519PublicKeyParameters)certificate.GetPublicKey()).GetEncoded();
    }

    /// <summary>RFC 8410 PrivateKeyInfo around a raw key (of any length, to make malformed ones).</summary>
    private static byte[] Pkcs8(byte[] raw)
    {
        var inner = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        inner.WriteOctetString(raw);
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.3.101.112");
            }

            writer.WriteOctetString(inner.Encode());
        }

        return writer.Encode();
    }

    private static string Pem(string label, byte[] der) => new string(PemEncoding.Write(label, der)) + "\n";

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fabinvoke-ed25519-" + Guid.NewGuid().ToString("N"));

        public string Write(string relative, string content)
        {
            var file = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
            return file;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
