using System.Security.Cryptography.X509Certificates;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>
/// One organisation's crypto material in a cryptogen-style folder: its CA, its TLS CA and its org-level MSP folder.
/// Created on first use, loaded from disk afterwards.
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

    /// <summary>The TLS CA PEM a client trusts for this org's nodes.</summary>
    public string TlsCaCertPath => Path.Combine(Directory, "tlsca", TlsCaCertFileName);

    /// <summary>Loads or creates the org's CAs and org-level MSP folder under <paramref name="directory"/>.</summary>
    public static OrgMaterial LoadOrCreate(string directory, string domain, string mspId)
    {
        var ca = CertificateAuthority.LoadOrCreate(
            Path.Combine(directory, "ca", $"ca.{domain}-cert.pem"), Path.Combine(directory, "ca", "priv_sk"), $"ca.{domain}", domain);
        var tlsCa = CertificateAuthority.LoadOrCreate(
            Path.Combine(directory, "tlsca", $"tlsca.{domain}-cert.pem"), Path.Combine(directory, "tlsca", "priv_sk"), $"tlsca.{domain}", domain);
        var org = new OrgMaterial(domain, mspId, directory, ca, tlsCa);
        org.WriteMspFolder(Path.Combine(directory, "msp"));
        return org;
    }

    /// <summary>
    /// Makes sure <paramref name="identityDirectory"/> holds <c>msp/</c> and <c>tls/</c> for <paramref name="name"/>
    /// (keeps existing files) and returns the loaded identity. <paramref name="notBefore"/>/<paramref name="notAfter"/>
    /// apply to the signing certificate only, so an expired identity still completes a TLS handshake.
    /// </summary>
    public NodeMaterial EnsureIdentity(
        string identityDirectory,
        string name,
        string organizationalUnit,
        bool tlsServer,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        var msp = Path.Combine(identityDirectory, "msp");
        var tls = Path.Combine(identityDirectory, "tls");
        var signCert = Path.Combine(msp, "signcerts", $"{name}-cert.pem");
        var signKey = Path.Combine(msp, "keystore", "priv_sk");
        var tlsPrefix = tlsServer ? "server" : "client";
        var tlsCert = Path.Combine(tls, tlsPrefix + ".crt");
        var tlsKey = Path.Combine(tls, tlsPrefix + ".key");

        if (!File.Exists(signCert) || !File.Exists(signKey))
        {
            var (certificate, key) = Ca.Issue(name, organizationalUnit, CertificateProfile.Signing, null, notBefore, notAfter);
            using (certificate)
            using (key)
            {
                PemFiles.WritePrivateKey(signKey, key);
                PemFiles.WriteCertificate(signCert, certificate);
            }
        }

        if (!File.Exists(tlsCert) || !File.Exists(tlsKey))
        {
            var shortName = name.Split('.', '@')[0];
            string[]? names = tlsServer ? [name, shortName, "localhost", "127.0.0.1"] : null;
            var (certificate, key) = TlsCa.Issue(name, null, tlsServer ? CertificateProfile.TlsServer : CertificateProfile.TlsClient, names);
            using (certificate)
            using (key)
            {
                PemFiles.WritePrivateKey(tlsKey, key);
                PemFiles.WriteCertificate(tlsCert, certificate);
            }
        }

        WriteMspFolder(msp);
        var caCrt = Path.Combine(tls, "ca.crt");
        if (!File.Exists(caCrt))
        {
            PemFiles.WriteCertificate(caCrt, TlsCa.Certificate);
        }

        return new NodeMaterial(name, MspId, identityDirectory, File.ReadAllBytes(signCert), PemFiles.ReadPrivateKey(signKey), tlsCert, tlsKey, caCrt);
    }

    public void Dispose()
    {
        Ca.Dispose();
        TlsCa.Dispose();
    }

    private void WriteMspFolder(string msp)
    {
        var caCerts = Path.Combine(msp, "cacerts", CaCertFileName);
        if (!File.Exists(caCerts))
        {
            PemFiles.WriteCertificate(caCerts, Ca.Certificate);
        }

        var tlsCaCerts = Path.Combine(msp, "tlscacerts", TlsCaCertFileName);
        if (!File.Exists(tlsCaCerts))
        {
            PemFiles.WriteCertificate(tlsCaCerts, TlsCa.Certificate);
        }

        var config = Path.Combine(msp, "config.yaml");
        if (!File.Exists(config))
        {
            var lines = new List<string> { "NodeOUs:", "  Enable: true" };
            foreach (var (key, ou) in new[] { ("ClientOUIdentifier", "client"), ("PeerOUIdentifier", "peer"), ("AdminOUIdentifier", "admin"), ("OrdererOUIdentifier", "orderer") })
            {
                lines.Add($"  {key}:");
                lines.Add($"    Certificate: cacerts/{CaCertFileName}");
                lines.Add($"    OrganizationalUnitIdentifier: {ou}");
            }

            File.WriteAllText(config, string.Join('\n', lines) + "\n");
        }
    }

    /// <summary>The org's CA certificate (for chain checks), without private key.</summary>
    public X509Certificate2 CaCertificate => Ca.Certificate;

    /// <summary>The org's TLS CA certificate (for client certificate checks), without private key.</summary>
    public X509Certificate2 TlsCaCertificate => TlsCa.Certificate;
}
