using System.Security.Cryptography;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;

namespace FabricInvoke.Core.Tests;

/// <summary>MSP folder and key loading: the formats Fabric users have, and a clear Config error for everything else.</summary>
public sealed class IdentityTests
{
    private static readonly string Org1Cert = File.ReadAllText(Fixtures.PathOf("identities/org1-user1/msp/signcerts/User1@org1.example.com-cert.pem"));
    private static readonly string Org1Key = File.ReadAllText(Fixtures.PathOf("identities/org1-user1/msp/keystore/priv_sk"));
    private static readonly string Org2Key = File.ReadAllText(Fixtures.PathOf("identities/org2-user1/msp/keystore/priv_sk"));

    [Fact]
    public void Loads_the_cryptogen_msp_folder()
    {
        var identity = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");

        Assert.Equal("Org1MSP", identity.MspId);
        Assert.Equal(822, identity.Creator.Length);
        Assert.Equal("CN=User1@org1.example.com, OU=client, L=San Francisco, S=California, C=US", identity.Certificate.Subject);
        Assert.False(identity.Certificate.HasPrivateKey);
        Fixtures.AssertValidLowSSignature(identity.Certificate, "hello"u8, identity.Sign("hello"u8));
    }

    [Fact]
    public void Pkcs8_and_sec1_forms_of_the_same_key_are_the_same_key()
    {
        var pkcs8Text = File.ReadAllText(Fixtures.PathOf("identities/key-variants/user1-pkcs8.pem"));
        var sec1Text = File.ReadAllText(Fixtures.PathOf("identities/key-variants/user1-sec1.pem"));
        Assert.Contains("BEGIN EC PRIVATE KEY", sec1Text, StringComparison.Ordinal);
        using var pkcs8 = EcKeys.Parse(pkcs8Text, "pkcs8");
        using var sec1 = EcKeys.Parse(sec1Text, "sec1");

        Assert.True(EcKeys.SamePublicKey(pkcs8, sec1));
        Assert.Equal(pkcs8.ExportParameters(true).D, sec1.ExportParameters(true).D);

        var a = SigningIdentity.FromPem("Org1MSP", Org1Cert, pkcs8Text);
        var b = SigningIdentity.FromPem("Org1MSP", Org1Cert, sec1Text);
        Assert.Equal(a.Creator, b.Creator);
        Fixtures.AssertValidLowSSignature(a.Certificate, "m"u8, b.Sign("m"u8));
    }

    [Fact]
    public void Sec1_key_in_an_msp_keystore_loads()
    {
        using var msp = new TempMsp();
        msp.Cert(Org1Cert);
        msp.Key("key.pem", File.ReadAllText(Fixtures.PathOf("identities/key-variants/user1-sec1.pem")));

        var identity = MspFolder.Load(msp.Path, "Org1MSP");

        Assert.Equal(MspFolder.Load(Fixtures.Org1Msp, "Org1MSP").Creator, identity.Creator);
    }

    [Fact]
    public void P384_key_and_certificate_sign_with_sha256_and_low_s()
    {
        var cert = File.ReadAllText(Fixtures.PathOf("identities/key-variants/p384-cert.pem"));
        var key = File.ReadAllText(Fixtures.PathOf("identities/key-variants/p384-key.pem"));
        using var msp = new TempMsp();
        msp.Cert(cert);
        msp.Key("priv_sk", key);

        var identity = MspFolder.Load(msp.Path, "NotFabricMSP");
        var fromPem = SigningIdentity.FromPem("NotFabricMSP", cert, key);

        Assert.Equal(fromPem.Creator, identity.Creator);
        for (var i = 0; i < 50; i++)
        {
            var message = BitConverter.GetBytes(i);
            Fixtures.AssertValidLowSSignature(identity.Certificate, message, identity.Sign(message));
        }
    }

    [Fact]
    public void Keystore_picks_the_key_matching_the_certificate()
    {
        using var msp = new TempMsp();
        msp.Cert(Org1Cert);
        msp.Key("a_other_sk", Org2Key);
        msp.Key("b_junk", "not a key");
        msp.Key("c_priv_sk", Org1Key);

        var identity = MspFolder.Load(msp.Path, "Org1MSP");

        Fixtures.AssertValidLowSSignature(identity.Certificate, "x"u8, identity.Sign("x"u8));
    }

    [Fact]
    public void Missing_folder_is_a_config_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "fabinvoke-missing-" + Guid.NewGuid());

        AssertConfigError(() => MspFolder.Load(path, "Org1MSP"), path);
    }

    [Fact]
    public void Empty_signcerts_is_a_config_error_naming_it()
    {
        using var msp = new TempMsp();
        msp.Key("priv_sk", Org1Key);

        AssertConfigError(() => MspFolder.Load(msp.Path, "Org1MSP"), Path.Combine(msp.Path, "signcerts"));
    }

    [Fact]
    public void Missing_signcerts_is_a_config_error_naming_it()
    {
        using var msp = new TempMsp();
        Directory.Delete(Path.Combine(msp.Path, "signcerts"));

        AssertConfigError(() => MspFolder.Load(msp.Path, "Org1MSP"), Path.Combine(msp.Path, "signcerts"));
    }

    [Theory]
    [InlineData("this is not a certificate\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAECAwQF\n-----END PUBLIC KEY-----\n")]
    public void Signcert_that_is_not_a_certificate_is_a_config_error_naming_the_file(string content)
    {
        using var msp = new TempMsp();
        var file = msp.Cert(content);
        msp.Key("priv_sk", Org1Key);

        AssertConfigError(() => MspFolder.Load(msp.Path, "Org1MSP"), file);
    }

    [Fact]
    public void Empty_keystore_is_a_config_error_naming_it()
    {
        using var msp = new TempMsp();
        msp.Cert(Org1Cert);

        AssertConfigError(() => MspFolder.Load(msp.Path, "Org1MSP"), Path.Combine(msp.Path, "keystore"));
    }

    [Fact]
    public void Key_not_matching_the_certificate_is_a_config_error_naming_the_keystore()
    {
        using var msp = new TempMsp();
        msp.Cert(Org1Cert);
        msp.Key("priv_sk", Org2Key);

        var e = AssertConfigError(() => MspFolder.Load(msp.Path, "Org1MSP"), Path.Combine(msp.Path, "keystore"));
        Assert.Contains("matches", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_with_a_key_not_matching_the_certificate_names_the_key_source()
    {
        AssertConfigError(() => SigningIdentity.FromPem("Org1MSP", Org1Cert, Org2Key, "/keys/org2.pem"), "/keys/org2.pem");
    }

    [Fact]
    public void Encrypted_pkcs8_key_is_a_config_error_naming_the_file()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ec.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        using var msp = new TempMsp();
        msp.Cert(Org1Cert);
        var file = msp.Key("priv_sk", pem);

        var e = AssertConfigError(() => MspFolder.Load(msp.Path, "Org1MSP"), file);
        Assert.Contains("encrypted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_encrypted_pem_key_is_a_config_error_naming_the_file()
    {
        const string pem = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAECAwQF\n-----END EC PRIVATE KEY-----\n";
        using var msp = new TempMsp();
        msp.Cert(Org1Cert);
        var file = msp.Key("priv_sk", pem);

        var e = AssertConfigError(() => MspFolder.Load(msp.Path, "Org1MSP"), file);
        Assert.Contains("encrypted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rsa_pkcs8_key_is_a_config_error_naming_the_file()
    {
        using var rsa = RSA.Create(2048);
        using var msp = new TempMsp();
        msp.Cert(Org1Cert);
        var file = msp.Key("priv_sk", rsa.ExportPkcs8PrivateKeyPem());

        var e = AssertConfigError(() => MspFolder.Load(msp.Path, "Org1MSP"), file);
        Assert.Contains("RSA", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rsa_pkcs1_key_is_a_config_error_naming_the_file()
    {
        using var rsa = RSA.Create(2048);
        using var msp = new TempMsp();
        msp.Cert(Org1Cert);
        var file = msp.Key("priv_sk", rsa.ExportRSAPrivateKeyPem());

        var e = AssertConfigError(() => MspFolder.Load(msp.Path, "Org1MSP"), file);
        Assert.Contains("RSA", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_curve_is_a_config_error()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        AssertConfigError(() => EcKeys.Parse(ec.ExportPkcs8PrivateKeyPem(), "/k/p521.pem"), "/k/p521.pem");
    }

    [Fact]
    public void Missing_tls_certificate_file_is_a_config_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "fabinvoke-missing-" + Guid.NewGuid() + ".pem");

        AssertConfigError(() => FabricInvoke.Core.Connections.TlsFiles.LoadCertificates(path, "peer TLS root certificate file"), path);
    }

    [Fact]
    public void Go_pem_encoding_has_64_character_lines_and_a_trailing_newline()
    {
        var der = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

        var pem = System.Text.Encoding.ASCII.GetString(PemText.EncodeGoStyle("CERTIFICATE", der));

        var lines = pem.Split('\n');
        Assert.Equal("-----BEGIN CERTIFICATE-----", lines[0]);
        Assert.Equal(64, lines[1].Length);
        Assert.Equal(64, lines[2].Length);
        Assert.Equal(136 - 128, lines[3].Length);
        Assert.Equal("-----END CERTIFICATE-----", lines[4]);
        Assert.Equal(string.Empty, lines[5]);
        Assert.Equal(6, lines.Length);
    }

    private static FabricInvokeException AssertConfigError(Action action, string named)
    {
        var e = Assert.Throws<FabricInvokeException>(action);
        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>A throw-away MSP folder with empty signcerts/ and keystore/.</summary>
    private sealed class TempMsp : IDisposable
    {
        public TempMsp()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fabinvoke-msp-" + Guid.NewGuid());
            Directory.CreateDirectory(System.IO.Path.Combine(Path, "signcerts"));
            Directory.CreateDirectory(System.IO.Path.Combine(Path, "keystore"));
        }

        public string Path { get; }

        public string Cert(string content) => Write("signcerts", "cert.pem", content);

        public string Key(string name, string content) => Write("keystore", name, content);

        public void Dispose() => Directory.Delete(Path, recursive: true);

        private string Write(string folder, string name, string content)
        {
            var file = System.IO.Path.Combine(Path, folder, name);
            File.WriteAllText(file, content);
            return file;
        }
    }
}
