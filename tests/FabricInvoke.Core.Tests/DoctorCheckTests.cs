using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Diagnostics.Doctor;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// The doctor's verdicts on certificates, at a fixed moment: a signing certificate's days left (a warning under 30,
/// a failure when expired, with the invoke's failure kind), and a server certificate's host name (the override that
/// would fix it) and issuer (both key ids named).
/// </summary>
public sealed class DoctorCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;

    public DoctorCheckTests()
    {
        var request = new CertificateRequest("CN=tlsca.org1.example.com, O=org1.example.com", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(9));
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }

    private X509Certificate2 Leaf(DateTimeOffset notAfter, params string[] dns)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=peer0.org1.example.com", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dns)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        using var signed = request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), Now.AddDays(-10), notAfter, RandomNumberGenerator.GetBytes(8));
        return X509CertificateLoader.LoadCertificate(signed.RawData);
    }

    private static NodeChecks.Node Peer(string host, string? hostOverride) =>
        new("peer", new NodeEndpoint(Endpoint.Parse($"{host}:7051", "peer"), "/etc/fabric/tlsca.pem", hostOverride), new TransportSettings(TimeSpan.FromSeconds(3), null));

    [Fact]
    public void A_signing_certificate_with_fewer_than_30_days_left_is_a_warning_that_fails_nothing()
    {
        using var leaf = Leaf(Now.AddDays(12.5));

        var check = IdentityChecks.Validity(leaf, "certificate", new FixedClock(Now));

        Assert.Equal(CheckOutcome.Warn, check.Outcome);
        Assert.Null(check.Kind);
        Assert.StartsWith("expires in 12 days (", check.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signing_certificate_with_more_left_passes_with_its_days_left()
    {
        using var leaf = Leaf(Now.AddDays(400.5));

        var check = IdentityChecks.Validity(leaf, "certificate", new FixedClock(Now));

        Assert.Equal(CheckOutcome.Pass, check.Outcome);
        Assert.EndsWith("(400 days left)", check.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_signing_certificate_fails_as_an_endorsement_would()
    {
        using var leaf = Leaf(Now.AddDays(-3));

        var check = IdentityChecks.Validity(leaf, "certificate", new FixedClock(Now));

        Assert.Equal(CheckOutcome.Fail, check.Outcome);
        Assert.Equal(FailureKind.Endorsement, check.Kind);
        Assert.Equal("expired 3 days ago", check.Summary);
    }

    [Fact]
    public void A_host_name_the_certificate_does_not_name_gets_the_override_set_to_a_name_it_has()
    {
        using var leaf = Leaf(Now.AddYears(1), "peer0.org1.example.com", "peer0");

        var check = NodeChecks.Judge(Peer("127.0.0.1", null), leaf, chainErrors: false, [_ca], "127.0.0.1", new FixedClock(Now), TimeSpan.Zero);

        Assert.Equal(CheckOutcome.Fail, check.Outcome);
        Assert.Equal(FailureKind.Connection, check.Kind);
        Assert.Equal($"set {DoctorWords.PeerHostOverride} to peer0.org1.example.com (or reach the peer by that name)", check.Fix);
    }

    [Fact]
    public void A_wrong_override_where_the_address_matches_gets_the_override_removed()
    {
        using var leaf = Leaf(Now.AddYears(1), "peer0.org1.example.com");

        var check = NodeChecks.Judge(Peer("peer0.org1.example.com", "other.example.com"), leaf, chainErrors: false, [_ca], "other.example.com", new FixedClock(Now), TimeSpan.Zero);

        Assert.Equal($"remove {DoctorWords.PeerHostOverride} (it is other.example.com; the certificate is valid for peer0.org1.example.com, the address given)", check.Fix);
    }

    [Fact]
    public void A_chain_error_names_the_issuer_and_the_root_given_with_their_key_ids()
    {
        using var leaf = Leaf(Now.AddYears(1), "peer0.org1.example.com");
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherRequest = new CertificateRequest("CN=tlsca.org2.example.com, O=org2.example.com", otherKey, HashAlgorithmName.SHA256);
        otherRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(otherRequest.PublicKey, false));
        using var other = otherRequest.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(9));

        var check = NodeChecks.Judge(Peer("peer0.org1.example.com", null), leaf, chainErrors: true, [other], "peer0.org1.example.com", new FixedClock(Now), TimeSpan.Zero);

        var caId = NodeChecks.SubjectKeyId(_ca);
        Assert.Equal(caId, NodeChecks.AuthorityKeyId(leaf));
        Assert.Contains($"issued by 'CN=tlsca.org1.example.com, O=org1.example.com' (key id {caId})", check.Reason, StringComparison.Ordinal);
        Assert.Contains($"the TLS root given is 'CN=tlsca.org2.example.com, O=org2.example.com' (key id {NodeChecks.SubjectKeyId(other)})", check.Reason, StringComparison.Ordinal);
        Assert.Equal($"give the CA certificate 'CN=tlsca.org1.example.com, O=org1.example.com' (key id {caId}) as {DoctorWords.PeerTlsRoot} for peer0.org1.example.com:7051", check.Fix);
    }

    [Fact]
    public void A_server_certificate_expiring_within_30_days_is_a_warning()
    {
        using var leaf = Leaf(Now.AddDays(5.5), "peer0.org1.example.com");

        var check = NodeChecks.Judge(Peer("peer0.org1.example.com", null), leaf, chainErrors: false, [_ca], "peer0.org1.example.com", new FixedClock(Now), TimeSpan.Zero);

        Assert.Equal(CheckOutcome.Warn, check.Outcome);
        Assert.Contains("(5 days left)", check.Summary, StringComparison.Ordinal);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
