using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Connections;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// The TLS check of peers and orderers: exactly as strict as Go's crypto/tls for Fabric clients (chain to the given
/// roots, host name in the SAN, validity dates), and each refusal says what failed.
/// </summary>
public sealed class ServerCertificateCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;

    public ServerCertificateCheckTests()
    {
        var request = new CertificateRequest("CN=tlsca.org1.example.com, O=org1.example.com", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        _ca = request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(9));
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }

    private X509Certificate2 Leaf(string dns, DateTimeOffset notBefore, DateTimeOffset notAfter, X509Certificate2? issuer = null, ECDsa? issuerKey = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=peer0.org1.example.com", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dns);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(8);
        var signer = issuer ?? _ca;
        using var signed = request.Create(signer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey ?? _caKey), notBefore, notAfter, serial);
        return X509CertificateLoader.LoadCertificate(signed.RawData);
    }

    /// <summary>What a handshake decides: the chain built with the product's policy (plus what the server presents), then the check.</summary>
    private string? Check(X509Certificate2 leaf, string host, params X509Certificate2[] presented)
    {
        using var chain = new X509Chain { ChainPolicy = ServerCertificateCheck.ChainPolicy([_ca]) };
        chain.ChainPolicy.ExtraStore.AddRange(presented);
        chain.ChainPolicy.VerificationTime = Now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        var errors = chain.Build(leaf) ? SslPolicyErrors.None : SslPolicyErrors.RemoteCertificateChainErrors;
        return ServerCertificateCheck.Refusal(leaf, chain, errors, host, "/etc/fabric/tlsca.pem", new FixedClock(Now));
    }

    [Fact]
    public void A_certificate_that_chains_names_the_host_and_is_current_is_accepted()
    {
        using var leaf = Leaf("peer0.org1.example.com", Now.AddDays(-1), Now.AddDays(30));

        Assert.Null(Check(leaf, "peer0.org1.example.com"));
        Assert.Null(Check(leaf, "127.0.0.1"));
    }

    [Fact]
    public void An_expired_certificate_is_refused_saying_when_it_expired()
    {
        using var leaf = Leaf("peer0.org1.example.com", Now.AddDays(-30), Now.AddDays(-1));

        Assert.Contains("expired on 2026-11-30", Check(leaf, "peer0.org1.example.com"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_not_yet_valid_is_refused_saying_from_when()
    {
        using var leaf = Leaf("peer0.org1.example.com", Now.AddDays(1), Now.AddDays(30));

        Assert.Contains("is not valid before 2026-12-02", Check(leaf, "peer0.org1.example.com"), StringComparison.Ordinal);
    }

    [Fact]
    public void Another_host_name_is_refused_listing_the_names_the_certificate_has()
    {
        using var leaf = Leaf("peer0.org1.example.com", Now.AddDays(-1), Now.AddDays(30));

        var refusal = Check(leaf, "peer1.org1.example.com");

        Assert.Contains("is not valid for host name peer1.org1.example.com (it names peer0.org1.example.com, 127.0.0.1)", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_common_name_alone_does_not_count_as_in_Go()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=peer0.org1.example.com", key, HashAlgorithmName.SHA256);
        using var signed = request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), Now.AddDays(-1), Now.AddDays(1), [1, 2, 3]);

        Assert.Contains("it names no subject alternative names", Check(signed, "peer0.org1.example.com"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_from_another_CA_is_refused_naming_the_roots_file()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = new CertificateRequest("CN=tlsca.evil.example.com", otherKey, HashAlgorithmName.SHA256).CreateSelfSigned(Now.AddYears(-1), Now.AddYears(1));
        using var leaf = Leaf("peer0.org1.example.com", Now.AddDays(-1), Now.AddDays(30), other, otherKey);

        var refusal = Check(leaf, "peer0.org1.example.com");

        Assert.Contains("(issued by CN=tlsca.evil.example.com) does not chain to the TLS root certificate(s) in /etc/fabric/tlsca.pem", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_through_an_intermediate_the_server_presents_is_accepted_and_without_it_refused()
    {
        // fabric-ca set-ups often issue TLS certificates from an intermediate CA; Go verifies with the intermediates
        // the server sends, and so must we.
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ica.org1.example.com", intermediateKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        using var signed = request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), Now.AddYears(-1), Now.AddYears(5), [7, 7, 7]);
        using var intermediate = X509CertificateLoader.LoadCertificate(signed.RawData);
        using var leaf = Leaf("peer0.org1.example.com", Now.AddDays(-1), Now.AddDays(30), intermediate, intermediateKey);

        Assert.Null(Check(leaf, "peer0.org1.example.com", intermediate));
        Assert.Contains("does not chain", Check(leaf, "peer0.org1.example.com"), StringComparison.Ordinal);
    }

    [Fact]
    public void No_certificate_is_refused()
    {
        Assert.Equal("the server sent no certificate", ServerCertificateCheck.Refusal(null, null, SslPolicyErrors.RemoteCertificateNotAvailable, "h", "f", new FixedClock(Now)));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
