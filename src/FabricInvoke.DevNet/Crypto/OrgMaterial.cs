using System.Security.Cryptography.X509Certificates;
using System.Text;
using FabricInvoke.DevNet.Storage;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>
/// One organisation's crypto material in a cryptogen-style folder: its CA, its TLS CA and its org-level MSP folder.
/// Each folder (the org's, and each identity's) is created whole or not at all (<see cref="AtomicDirectory"/>) and
/// verified every time it is loaded; an existing folder is never repaired or overwritten.
/// </summary>
internal sealed class OrgMaterial : IDisposable
{
    private OrgMaterial(string domain, string mspId, string directory, CertificateAuthority ca, CertificateAuthority tlsCa)
    {
        Domain = domain;
        MspId = mspId;
        Directory = directory;
        Ca = ca;
        TlsCa = tlsCa;
    }

    /// <summary>"org1.example.com" or "example.com" for the orderer org.</summary>
    public string Domain { get; }

    /// <summary>"Org1MSP", "OrdererMSP".</summary>
    public string MspId { get; }

    /// <summary>The org's root folder (e.g. …/peerOrganizations/org1.example.com).</summary>
    public string Directory { get; }

    /// <summary>The identity (enrolment) CA.</summary>
    public CertificateAuthority Ca { get; }

    /// <summary>The TLS CA.</summary>
    public CertificateAuthority TlsCa { get; }

    public string CaCertFileName => $"ca.{Domain}-cert.pem";

    public string TlsCaCertFileName => $"tlsca.{Domain}-cert.pem";

    /// <summary>The CA certificate file every identity of the org must chain to.</summary>
    public string CaCertPath => Path.Combine(Directory, "ca", CaCertFileName);

    /// <summary>The TLS CA PEM a client trusts for this org's nodes.</summary>
    public string TlsCaCertPath => Path.Combine(Directory, "tlsca", TlsCaCertFileName);

    /// <summary>The org's CA certificate (for chain checks), without private key.</summary>
    public X509Certificate2 CaCertificate => Ca.Certificate;

    /// <summary>The org's TLS CA certificate (for client certificate checks), without private key.</summary>
    public X509Certificate2 TlsCaCertificate => TlsCa.Certificate;

    /// <summary>Loads the org under <paramref name="directory"/>, creating the whole folder first when it does not exist.</summary>
    /// <exception cref="DevNetMaterialException">The existing folder is incomplete or inconsistent.</exception>
    /// <exception cref="IOException">The folder cannot be created.</exception>
    public static OrgMaterial LoadOrCreate(string directory, string domain, string mspId)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            AtomicDirectory.Create(directory, building =>
            {
                using var ca = CertificateAuthority.Create($"ca.{domain}", domain);
                using var tlsCa = CertificateAuthority.Create($"tlsca.{domain}", domain);
                ca.Write(Path.Combine(building, "ca", $"ca.{domain}-cert.pem"), Path.Combine(building, "ca", "priv_sk"));
                tlsCa.Write(Path.Combine(building, "tlsca", $"tlsca.{domain}-cert.pem"), Path.Combine(building, "tlsca", "priv_sk"));
                WriteMspFolder(Path.Combine(building, "msp"), domain, ca.Certificate, tlsCa.Certificate);
            });
        }

        var ca = CertificateAuthority.Load(Path.Combine(directory, "ca", $"ca.{domain}-cert.pem"), Path.Combine(directory, "ca", "priv_sk"));
        CertificateAuthority? tlsCa = null;
        try
        {
            tlsCa = CertificateAuthority.Load(Path.Combine(directory, "tlsca", $"tlsca.{domain}-cert.pem"), Path.Combine(directory, "tlsca", "priv_sk"));
            var org = new OrgMaterial(domain, mspId, directory, ca, tlsCa);
            org.VerifyMspFolder(Path.Combine(directory, "msp"));
            return org;
        }
        catch
        {
            tlsCa?.Dispose();
            ca.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the identity in <paramref name="identityDirectory"/> (<c>msp/</c> and <c>tls/</c>), issuing it first when the
    /// folder does not exist. <paramref name="notBefore"/>/<paramref name="notAfter"/> apply to a new signing certificate
    /// only, so an expired identity still completes a TLS handshake.
    /// </summary>
    /// <exception cref="DevNetMaterialException">
    /// The existing folder is incomplete, or a certificate is not issued by this org's CA on disk, or a key does not match its certificate.
    /// </exception>
    /// <exception cref="IOException">The folder cannot be created.</exception>
    public NodeMaterial EnsureIdentity(
        string identityDirectory,
        string name,
        string organizationalUnit,
        bool tlsServer,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        var tlsPrefix = tlsServer ? "server" : "client";
        if (!System.IO.Directory.Exists(identityDirectory))
        {
            AtomicDirectory.Create(identityDirectory, building =>
            {
                var msp = Path.Combine(building, "msp");
                var (signing, signingKey) = Ca.Issue(name, organizationalUnit, CertificateProfile.Signing, null, notBefore, notAfter);
                using (signing)
                using (signingKey)
                {
                    PemFiles.WritePrivateKey(Path.Combine(msp, "keystore", "priv_sk"), signingKey);
                    PemFiles.WriteCertificate(Path.Combine(msp, "signcerts", $"{name}-cert.pem"), signing);
                }

                var shortName = name.Split('.', '@')[0];
                string[]? names = tlsServer ? [name, shortName, "localhost", "127.0.0.1"] : null;
                var (tlsCertificate, tlsKey) = TlsCa.Issue(name, null, tlsServer ? CertificateProfile.TlsServer : CertificateProfile.TlsClient, names);
                using (tlsCertificate)
                using (tlsKey)
                {
                    PemFiles.WritePrivateKey(Path.Combine(building, "tls", tlsPrefix + ".key"), tlsKey);
                    PemFiles.WriteCertificate(Path.Combine(building, "tls", tlsPrefix + ".crt"), tlsCertificate);
                }

                PemFiles.WriteCertificate(Path.Combine(building, "tls", "ca.crt"), TlsCa.Certificate);
                WriteMspFolder(msp, Domain, Ca.Certificate, TlsCa.Certificate);
            });
        }

        return LoadIdentity(identityDirectory, name, tlsPrefix);
    }

    /// <summary>
    /// Loads the Ed25519 client identity in <paramref name="identityDirectory"/>, issuing it first when the folder does
    /// not exist: as Fabric 3's cryptogen makes one for an Ed25519 org, <c>msp/keystore/priv_sk</c> is a PKCS#8 Ed25519
    /// key and the signing certificate holds its public key, issued by this org's (ECDSA) CA; its TLS client
    /// certificate is Ed25519 too (PKCS#8 <c>tls/client.key</c>), issued by the org's TLS CA. A folder written before
    /// the TLS certificate became Ed25519 (ECDSA) still loads.
    /// </summary>
    /// <exception cref="DevNetMaterialException">The existing folder is incomplete or its certificate and key do not belong together.</exception>
    /// <exception cref="IOException">The folder cannot be created.</exception>
    public DevIdentity EnsureEd25519User(string identityDirectory, string name, string organizationalUnit)
    {
        if (!System.IO.Directory.Exists(identityDirectory))
        {
            AtomicDirectory.Create(identityDirectory, building =>
            {
                var msp = Path.Combine(building, "msp");
                var (signing, signingKey) = Ca.IssueEd25519(name, organizationalUnit, CertificateProfile.Signing);
                using (signing)
                {
                    PemFiles.WritePrivateKey(Path.Combine(msp, "keystore", "priv_sk"), signingKey);
                    PemFiles.WriteCertificate(Path.Combine(msp, "signcerts", $"{name}-cert.pem"), signing);
                }

                var (tlsCertificate, tlsKey) = TlsCa.IssueEd25519(name, null, CertificateProfile.TlsClient);
                using (tlsCertificate)
                {
                    PemFiles.WritePrivateKey(Path.Combine(building, "tls", "client.key"), tlsKey);
                    PemFiles.WriteCertificate(Path.Combine(building, "tls", "client.crt"), tlsCertificate);
                }

                PemFiles.WriteCertificate(Path.Combine(building, "tls", "ca.crt"), TlsCa.Certificate);
                WriteMspFolder(msp, Domain, Ca.Certificate, TlsCa.Certificate);
            });
        }

        var mspDirectory = Path.Combine(identityDirectory, "msp");
        var tls = Path.Combine(identityDirectory, "tls");
        VerifyMspFolder(mspDirectory);
        var signCertPath = Path.Combine(mspDirectory, "signcerts", $"{name}-cert.pem");
        using (var certificate = PemFiles.ReadCertificate(signCertPath))
        {
            if (!MaterialChecks.IsIssuedBy(certificate, Ca.Certificate))
            {
                throw new DevNetMaterialException(signCertPath, $"certificate not issued by the org's CA on disk ({CaCertPath})");
            }

            var keyPath = Path.Combine(mspDirectory, "keystore", "priv_sk");
            if (!Ed25519Signatures.KeyMatches(certificate, PemFiles.ReadEd25519PrivateKey(keyPath)))
            {
                throw new DevNetMaterialException(keyPath, $"private key does not match its certificate ({signCertPath})");
            }
        }

        var tlsCert = Path.Combine(tls, "client.crt");
        var tlsKeyFile = Path.Combine(tls, "client.key");
        using (var certificate = PemFiles.ReadCertificate(tlsCert))
        {
            if (certificate.PublicKey.Oid.Value != Ed25519Signatures.Oid)
            {
                VerifyPair(tlsCert, PemFiles.ReadBytes(tlsCert), tlsKeyFile, TlsCa, TlsCaCertPath).Dispose();
            }
            else if (!MaterialChecks.IsIssuedBy(certificate, TlsCa.Certificate))
            {
                throw new DevNetMaterialException(tlsCert, $"certificate not issued by the org's CA on disk ({TlsCaCertPath})");
            }
            else if (!Ed25519Signatures.KeyMatches(certificate, PemFiles.ReadEd25519PrivateKey(tlsKeyFile)))
            {
                throw new DevNetMaterialException(tlsKeyFile, $"private key does not match its certificate ({tlsCert})");
            }
        }

        var caCrt = Path.Combine(tls, "ca.crt");
        VerifySame(caCrt, TlsCa.Certificate, TlsCaCertPath);
        return new DevIdentity(MspId, mspDirectory, tlsCert, tlsKeyFile, caCrt);
    }

    public void Dispose()
    {
        Ca.Dispose();
        TlsCa.Dispose();
    }

    private NodeMaterial LoadIdentity(string identityDirectory, string name, string tlsPrefix)
    {
        var msp = Path.Combine(identityDirectory, "msp");
        var tls = Path.Combine(identityDirectory, "tls");
        VerifyMspFolder(msp);

        var signCertPath = Path.Combine(msp, "signcerts", $"{name}-cert.pem");
        var signCertPem = PemFiles.ReadBytes(signCertPath);
        var signingKey = VerifyPair(signCertPath, signCertPem, Path.Combine(msp, "keystore", "priv_sk"), Ca, CaCertPath);
        try
        {
            var tlsCert = Path.Combine(tls, tlsPrefix + ".crt");
            var tlsKey = Path.Combine(tls, tlsPrefix + ".key");
            VerifyPair(tlsCert, PemFiles.ReadBytes(tlsCert), tlsKey, TlsCa, TlsCaCertPath).Dispose();
            var caCrt = Path.Combine(tls, "ca.crt");
            VerifySame(caCrt, TlsCa.Certificate, TlsCaCertPath);
            return new NodeMaterial(name, MspId, identityDirectory, signCertPem, signingKey, tlsCert, tlsKey, caCrt);
        }
        catch
        {
            signingKey.Dispose();
            throw;
        }
    }

    /// <summary>Checks a certificate is issued by <paramref name="issuer"/> and that the key file holds its private key; returns the key.</summary>
    private static System.Security.Cryptography.ECDsa VerifyPair(string certificatePath, byte[] certificatePem, string keyPath, CertificateAuthority issuer, string issuerPath)
    {
        using var certificate = PemFiles.ParseCertificate(certificatePath, certificatePem);
        if (!MaterialChecks.IsIssuedBy(certificate, issuer.Certificate))
        {
            throw new DevNetMaterialException(certificatePath, $"certificate not issued by the org's CA on disk ({issuerPath})");
        }

        var key = PemFiles.ReadPrivateKey(keyPath);
        if (!MaterialChecks.KeyMatches(certificate, key))
        {
            key.Dispose();
            throw new DevNetMaterialException(keyPath, $"private key does not match its certificate ({certificatePath})");
        }

        return key;
    }

    private void VerifyMspFolder(string msp)
    {
        VerifySame(Path.Combine(msp, "cacerts", CaCertFileName), Ca.Certificate, CaCertPath);
        VerifySame(Path.Combine(msp, "tlscacerts", TlsCaCertFileName), TlsCa.Certificate, TlsCaCertPath);
        var config = Path.Combine(msp, "config.yaml");
        if (!File.Exists(config))
        {
            throw new DevNetMaterialException(config, "missing");
        }
    }

    private static void VerifySame(string path, X509Certificate2 expected, string expectedPath)
    {
        using var certificate = PemFiles.ReadCertificate(path);
        if (!certificate.RawData.AsSpan().SequenceEqual(expected.RawData))
        {
            throw new DevNetMaterialException(path, $"not the org's CA certificate on disk ({expectedPath})");
        }
    }

    private static void WriteMspFolder(string msp, string domain, X509Certificate2 ca, X509Certificate2 tlsCa)
    {
        var caFile = $"ca.{domain}-cert.pem";
        PemFiles.WriteCertificate(Path.Combine(msp, "cacerts", caFile), ca);
        PemFiles.WriteCertificate(Path.Combine(msp, "tlscacerts", $"tlsca.{domain}-cert.pem"), tlsCa);
        var lines = new List<string> { "NodeOUs:", "  Enable: true" };
        foreach (var (key, ou) in new[] { ("ClientOUIdentifier", "client"), ("PeerOUIdentifier", "peer"), ("AdminOUIdentifier", "admin"), ("OrdererOUIdentifier", "orderer") })
        {
            lines.Add($"  {key}:");
            lines.Add($"    Certificate: cacerts/{caFile}");
            lines.Add($"    OrganizationalUnitIdentifier: {ou}");
        }

        AtomicFile.Write(Path.Combine(msp, "config.yaml"), Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
    }
}
