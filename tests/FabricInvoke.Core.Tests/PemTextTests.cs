using System.Text;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;

namespace FabricInvoke.Core.Tests;

/// <summary>The one PEM reader: the PEM files users have, and what each caller says about the ones that are broken.</summary>
public sealed class PemTextTests : IDisposable
{
    private static readonly string Org1Cert = File.ReadAllText(Fixtures.PathOf("identities/org1-user1/msp/signcerts/User1@org1.example.com-cert.pem"));
    private static readonly string Org1Key = File.ReadAllText(Fixtures.PathOf("identities/org1-user1/msp/keystore/priv_sk"));

    private readonly string _folder = Directory.CreateTempSubdirectory("fabinvoke-pem-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Blocks_come_in_order_with_their_labels_and_text_around_them_is_ignored()
    {
        var text = "Bag Attributes\n    friendlyName: x\n" + Org1Cert + "subject=CN=whatever\n" + Org1Key;

        var blocks = PemText.Parse(text);

        Assert.Equal(["CERTIFICATE", "PRIVATE KEY"], blocks.Select(b => b.Label));
        Assert.All(blocks, b => Assert.False(b.IsDamaged));
        Assert.Equal(Convert.FromBase64String(Body(Org1Cert)), blocks[0].Data);
    }

    [Fact]
    public void A_certificate_flattened_onto_one_line_is_still_read()
    {
        // What `echo $CERT > file` leaves when the variable's newlines became spaces.
        var flat = Org1Cert.Replace('\n', ' ');

        var der = PemText.FindFirst(PemText.Parse(flat), "CERTIFICATE", out _);

        Assert.Equal(Convert.FromBase64String(Body(Org1Cert)), der);
    }

    [Fact]
    public void Windows_line_ends_and_a_byte_order_mark_are_read()
    {
        var file = Path.Combine(_folder, "crlf.pem");
        File.WriteAllText(file, Org1Cert.Replace("\n", "\r\n"), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        using var certificate = Assert.Single(TlsFiles.LoadCertificates(file, "peer TLS root certificate file"));

        Assert.Equal("CN=User1@org1.example.com, OU=client, L=San Francisco, S=California, C=US", certificate.Subject);
    }

    [Fact]
    public void Rfc1421_headers_are_read_and_the_body_after_them_decoded()
    {
        const string pem = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0011\n\nAAECAwQF\n-----END EC PRIVATE KEY-----\n";

        var block = Assert.Single(PemText.Parse(pem));

        Assert.Equal("4,ENCRYPTED", block.Header("proc-type"));
        Assert.Equal("AES-256-CBC,0011", block.Header("DEK-Info"));
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5 }, block.Data);
    }

    [Theory]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAEC!wQF\n-----END CERTIFICATE-----\n", "broken base64")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAECAwQ\n-----END CERTIFICATE-----\n", "not a multiple of four")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAA==AwQF\n-----END CERTIFICATE-----\n", "padding in the middle")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAECAwQF\n", "no END line")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END PRIVATE KEY-----\n", "END of another label")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----trailing\n", "END glued to text")]
    public void A_damaged_block_is_reported_not_dropped(string pem, string defect)
    {
        var block = Assert.Single(PemText.Parse(pem));

        Assert.True(block.IsDamaged, defect);
        Assert.Equal("CERTIFICATE", block.Label);
    }

    [Fact]
    public void A_damaged_block_does_not_hide_a_good_one_after_it()
    {
        var text = "-----BEGIN CERTIFICATE-----\nAAEC!wQF\n-----END CERTIFICATE-----\n" + Org1Cert;

        var der = PemText.FindFirst(PemText.Parse(text), "CERTIFICATE", out var damaged);

        Assert.NotNull(der);
        Assert.True(damaged);
    }

    [Theory]
    [InlineData("-----BEGIN -A-----\nAAAA\n-----END -A-----\n")]
    [InlineData("-----BEGIN A  B-----\nAAAA\n-----END A  B-----\n")]
    [InlineData("x-----BEGIN A-----\nAAAA\n-----END A-----\n")]
    public void What_RFC_7468_does_not_call_a_BEGIN_line_is_text(string text) =>
        Assert.Empty(PemText.Parse(text));

    [Fact]
    public void A_certificate_file_whose_only_certificate_is_damaged_says_malformed()
    {
        var file = Path.Combine(_folder, "damaged.pem");
        File.WriteAllText(file, Org1Cert.Replace("MII", "M!I", StringComparison.Ordinal));

        var e = Assert.Throws<FabricInvokeException>(() => TlsFiles.LoadCertificates(file, "peer TLS root certificate file"));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Equal($"peer TLS root certificate file holds a malformed PEM certificate: {file}", e.Message);
    }

    [Fact]
    public void A_certificate_file_without_certificates_says_so()
    {
        var file = Path.Combine(_folder, "key.pem");
        File.WriteAllText(file, Org1Key);

        var e = Assert.Throws<FabricInvokeException>(() => TlsFiles.LoadCertificates(file, "orderer TLS root certificate file"));

        Assert.Equal($"orderer TLS root certificate file holds no PEM certificate: {file}", e.Message);
    }

    [Fact]
    public void A_signing_certificate_whose_block_is_damaged_says_malformed()
    {
        var e = Assert.Throws<FabricInvokeException>(() =>
            SigningIdentity.FromPem("Org1MSP", Org1Cert.Replace("MII", "M!I", StringComparison.Ordinal), Org1Key));

        Assert.Equal("not a PEM certificate (malformed PEM): certificate PEM", e.Message);
    }

    [Fact]
    public void A_key_whose_block_is_damaged_says_malformed()
    {
        var e = Assert.Throws<FabricInvokeException>(() => EcKeys.Parse(Org1Key.Replace("MI", "M!", StringComparison.Ordinal), "/k/priv_sk"));

        Assert.Equal("private key file holds malformed PEM: /k/priv_sk", e.Message);
    }

    [Fact]
    public void A_TLS_client_key_keeps_its_wording_with_the_reason_inside()
    {
        var keyFile = Path.Combine(_folder, "client.key");
        File.WriteAllText(keyFile, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        var files = new Configuration.ClientCertificateFiles(Fixtures.PathOf("identities/org1-user1/tls/client.crt"), keyFile);

        var e = Assert.Throws<FabricInvokeException>(() => TlsFiles.LoadClientCredential(files));

        Assert.Equal($"TLS client key is not an unencrypted EC private key matching the TLS client certificate: {keyFile}", e.Message);
        Assert.Contains("encrypted private keys are not supported", e.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_P521_TLS_client_key_still_loads()
    {
        // TLS keys are not bound to Fabric's signing curves; only the MSP signing key is.
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP521);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=client", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certFile = Path.Combine(_folder, "p521.crt");
        var keyFile = Path.Combine(_folder, "p521.key");
        File.WriteAllText(certFile, self.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());

        using var loaded = TlsFiles.LoadClientCredential(new Configuration.ClientCertificateFiles(certFile, keyFile));

        Assert.True(loaded.Certificate.HasPrivateKey);
    }

    private static string Body(string pem) =>
        string.Concat(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('-')));
}
