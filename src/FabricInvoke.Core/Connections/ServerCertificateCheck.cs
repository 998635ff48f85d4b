using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// Decides whether a node's TLS certificate is acceptable, the way Go's crypto/tls does for Fabric clients: it must be
/// valid now, name the expected host in its subject alternative names (no common-name fallback) and chain to one of
/// the roots the user named. The verdict is a reason a person can act on, or null when the certificate is fine.
/// </summary>
internal static class ServerCertificateCheck
{
    /// <param name="rootsFile">The file the roots came from, named in the reason.</param>
    public static string? Refusal(
        X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots, string expectedHost, string rootsFile, TimeProvider time)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the server sent no certificate";
        }

        using var leaf = new X509Certificate2(certificate);
        var now = time.GetUtcNow().UtcDateTime;
        if (now > leaf.NotAfter.ToUniversalTime())
        {
            return $"the server certificate {Subject(leaf)} expired on {Stamp(leaf.NotAfter)}";
        }

        if (now < leaf.NotBefore.ToUniversalTime())
        {
            return $"the server certificate {Subject(leaf)} is not valid before {Stamp(leaf.NotBefore)}";
        }

        // Checked here because the HTTP handler validates against the address host, which would make an override impossible.
        if (!leaf.MatchesHostname(expectedHost, allowWildcards: true, allowCommonName: false))
        {
            return $"the server certificate {Subject(leaf)} is not valid for host name {expectedHost} (it names {Names(leaf)})";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(roots);
        if (chain.Build(leaf))
        {
            return null;
        }

        var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
        return $"the server certificate {Subject(leaf)} (issued by {leaf.Issuer}) does not chain to the TLS root certificate(s) in {rootsFile} ({status})";
    }

    private static string Subject(X509Certificate2 certificate) => $"'{certificate.Subject}'";

    private static string Stamp(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Names(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return "no subject alternative names";
        }

        var names = san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(a => a.ToString())).ToList();
        return names.Count == 0 ? "no DNS or IP names" : string.Join(", ", names);
    }
}
