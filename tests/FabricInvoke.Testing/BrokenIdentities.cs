using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FabricInvoke.Testing;

/// <summary>
/// Broken copies of an MSP folder, made the way they happen to people: an identity whose certificate expired (issued
/// by the organisation's own CA, so only its dates are wrong), and one whose keystore holds another identity's key.
/// </summary>
public static class BrokenIdentities
{
    /// <summary>
    /// A copy of <paramref name="userMsp"/> under <paramref name="destination"/> with a fresh P-256 key and a client
    /// certificate for it, issued by the CA of <paramref name="orgDirectory"/> (its <c>ca/</c> folder: certificate and
    /// <c>priv_sk</c>), that expired yesterday.
    /// </summary>
    public static string Expired(string orgDirectory, string userMsp, string destination)
    {
        var msp = Copy(userMsp, destination);
        var caFolder = Path.Combine(orgDirectory, "ca");
        var caCertFile = Directory.GetFiles(caFolder, "*-cert.pem").Single();
        using var ca = X509Certificate2.CreateFromPemFile(caCertFile, Path.Combine(caFolder, "priv_sk"));
        using var caKey = ca.GetECDsaPrivateKey()!;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var domain = Path.GetFileName(orgDirectory.TrimEnd('/'));
        var request = new CertificateRequest($"CN=Expired@{domain}, OU=client, L=San Francisco, S=California, C=US", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var certificate = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddDays(-30), now.AddDays(-1), serial);
        Replace(Path.Combine(msp, "signcerts"), "cert.pem", certificate.ExportCertificatePem());
        Replace(Path.Combine(msp, "keystore"), "priv_sk", key.ExportPkcs8PrivateKeyPem());
        return msp;
    }

    /// <summary>A copy of <paramref name="userMsp"/> whose keystore holds the key of <paramref name="otherMsp"/> instead of its own.</summary>
    public static string KeyOfAnother(string userMsp, string otherMsp, string destination)
    {
        var msp = Copy(userMsp, destination);
        var otherKey = Directory.GetFiles(Path.Combine(otherMsp, "keystore")).Single();
        Replace(Path.Combine(msp, "keystore"), "priv_sk", File.ReadAllText(otherKey));
        return msp;
    }

    private static string Copy(string source, string destination)
    {
        foreach (var directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }

        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)), overwrite: true);
        }

        return destination;
    }

    private static void Replace(string folder, string name, string content)
    {
        foreach (var file in Directory.GetFiles(folder))
        {
            File.Delete(file);
        }

        File.WriteAllText(Path.Combine(folder, name), content);
    }
}
