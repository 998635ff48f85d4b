using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>What a certificate is for, which decides its extensions (cryptogen's profiles).</summary>
internal enum CertificateProfile
{
    /// <summary>An MSP enrolment (signing) certificate: digital signature only.</summary>
    Signing,

    /// <summary>A TLS server (and client) certificate with SANs.</summary>
    TlsServer,

    /// <summary>A TLS client certificate.</summary>
    TlsClient,
}

/// <summary>
/// One self-signed ECDSA P-256 certificate authority (an org's <c>ca</c> or <c>tlsca</c>) that can issue certificates.
/// Every certificate it produces carries a low-S signature, so Fabric's certificate sanitation would leave it unchanged
/// and <c>id_bytes</c> equals the file on disk.
/// </summary>
internal sealed class CertificateAuthority : IDisposable
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(3650);

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        Key = key;
    }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA signing key.</summary>
    public ECDsa Key { get; }

    /// <summary>Loads the CA from <paramref name="certificatePath"/> + <paramref name="keyPath"/> and checks they belong together.</summary>
    /// <exception cref="DevNetMaterialException">A file is missing or unreadable, the certificate is not a self-signed CA, or the key is not its key.</exception>
    public static CertificateAuthority Load(string certificatePath, string keyPath)
    {
        var certificate = PemFiles.ReadCertificate(certificatePath);
        ECDsa? key = null;
        try
        {
            key = PemFiles.ReadPrivateKey(keyPath);
            if (!MaterialChecks.IsIssuedBy(certificate, certificate))
            {
                throw new DevNetMaterialException(certificatePath, "not a self-signed CA certificate");
            }

            if (!MaterialChecks.KeyMatches(certificate, key))
            {
                throw new DevNetMaterialException(keyPath, $"private key does not match the CA certificate {certificatePath}");
            }

            return new CertificateAuthority(certificate, key);
        }
        catch
        {
            key?.Dispose();
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>Creates a new self-signed CA (in memory; <see cref="Write"/> stores it).</summary>
    public static CertificateAuthority Create(string commonName, string organization)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = Name(commonName, organization, organizationalUnit: null);
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var certificate = CreateLowS(() =>
        {
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign,
                true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.1")], false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            return request.Create(subject, X509SignatureGenerator.CreateForECDsa(key), notBefore, notBefore + Validity, SerialNumber());
        });
        return new CertificateAuthority(certificate, key);
    }

    /// <summary>Writes the CA's certificate and key (0600) as cryptogen does.</summary>
    public void Write(string certificatePath, string keyPath)
    {
        PemFiles.WritePrivateKey(keyPath, Key);
        PemFiles.WriteCertificate(certificatePath, Certificate);
    }

    /// <summary>Issues a certificate for a new P-256 key. Returns the public certificate and its key.</summary>
    public (X509Certificate2 Certificate, ECDsa Key) Issue(
        string commonName,
        string? organizationalUnit,
        CertificateProfile profile,
        IReadOnlyList<string>? dnsNames = null,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (IssueFor(new PublicKey(key), commonName, organizationalUnit, profile, dnsNames, notBefore, notAfter), key);
    }

    /// <summary>
    /// Issues a certificate for a new Ed25519 key, signed with this (ECDSA) CA as Fabric 3's cryptogen does for an
    /// Ed25519 org. Returns the public certificate and its key.
    /// </summary>
    public (X509Certificate2 Certificate, Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters Key) IssueEd25519(
        string commonName, string? organizationalUnit, CertificateProfile profile)
    {
        var key = Ed25519Signatures.Generate();
        return (IssueFor(Ed25519Signatures.CertificatePublicKey(key), commonName, organizationalUnit, profile, null, null, null), key);
    }

    private X509Certificate2 IssueFor(
        PublicKey publicKey,
        string commonName,
        string? organizationalUnit,
        CertificateProfile profile,
        IReadOnlyList<string>? dnsNames,
        DateTimeOffset? notBefore,
        DateTimeOffset? notAfter)
    {
        var subject = Name(commonName, organization: null, organizationalUnit);
        var from = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        var to = notAfter ?? from + Validity;
        return CreateLowS(() =>
        {
            var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            if (profile == CertificateProfile.Signing)
            {
                request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            }
            else
            {
                request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                    [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
            }

            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
            if (dnsNames is { Count: > 0 })
            {
                var san = new SubjectAlternativeNameBuilder();
                foreach (var name in dnsNames)
                {
                    if (System.Net.IPAddress.TryParse(name, out var ip))
                    {
                        san.AddIpAddress(ip);
                    }
                    else
                    {
                        san.AddDnsName(name);
                    }
                }

                request.CertificateExtensions.Add(san.Build());
            }

            return request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(Key), from, to, SerialNumber());
        });
    }

    public void Dispose()
    {
        Key.Dispose();
        Certificate.Dispose();
    }

    /// <summary>cryptogen-style subject: C=US, ST=California, L=San Francisco, [O=…], [OU=…], CN=….</summary>
    private static X500DistinguishedName Name(string commonName, string? organization, string? organizationalUnit)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCountryOrRegion("US");
        builder.AddStateOrProvinceName("California");
        builder.AddLocalityName("San Francisco");
        if (organization is not null)
        {
            builder.AddOrganizationName(organization);
        }

        if (organizationalUnit is not null)
        {
            builder.AddOrganizationalUnitName(organizationalUnit);
        }

        builder.AddCommonName(commonName);
        return builder.Build();
    }

    private static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }

    /// <summary>ECDSA k is random, so re-signing until S is low takes two tries on average.</summary>
    private static X509Certificate2 CreateLowS(Func<X509Certificate2> create)
    {
        while (true)
        {
            var certificate = create();
            if (EcdsaSignatures.IsLowS(CertificateSignature(certificate.RawData)))
            {
                return certificate;
            }

            certificate.Dispose();
        }
    }

    private static byte[] CertificateSignature(byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        reader.ReadEncodedValue();
        reader.ReadEncodedValue();
        return reader.ReadBitString(out _);
    }
}
