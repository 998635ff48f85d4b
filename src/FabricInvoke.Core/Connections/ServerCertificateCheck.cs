using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// Decides whether a node's TLS certificate is acceptable, the way Go's crypto/tls does for Fabric clients: it must be
/// valid now, name the expected host in its subject alternative names (no common-name fallback) and chain — through
/// the intermediates the server presents — to one of the roots the user named. The chain is the one the TLS stack
/// builds with <see cref="ChainPolicy"/>; the verdict is a reason a person can act on, or null when the certificate is fine.
/// </summary>
internal static class ServerCertificateCheck
{
    /// <summary>
    /// The chain policy of every handshake: only <paramref name="roots"/> are trusted (the system store never is),
    /// no revocation or download traffic. The server's intermediates are added by the TLS stack; certificates of the
    /// roots file that are not self-signed help build the chain too.
    /// </summary>
    public static X509ChainPolicy ChainPolicy(X509Certificate2Collection roots)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(roots);
        policy.ExtraStore.AddRange(roots);
        return policy;
    }

    /// <summary>TLS server authentication (id-kp-serverAuth), the usage SslStream requires of a server's chain.</summary>
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.1");

    /// <summary>
    /// The verdict for a TLS stack other than SslStream (<see cref="Ed25519TlsStream"/>): the chain is built the way
    /// SslStream builds it — <see cref="ChainPolicy"/>, the server-authentication usage, the server's other
    /// certificates as intermediates — and judged by <see cref="Refusal"/>, so both stacks accept and word alike.
    /// </summary>
    /// <param name="leaf">The server's certificate, or null when it sent none.</param>
    /// <param name="intermediates">The other certificates the server sent.</param>
    public static string? Verify(
        X509Certificate2? leaf, X509Certificate2Collection intermediates, X509Certificate2Collection roots, string expectedHost, string rootsFile, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(intermediates);
        if (leaf is null)
        {
            return Refusal(null, null, SslPolicyErrors.RemoteCertificateNotAvailable, expectedHost, rootsFile, time);
        }

        using var chain = new X509Chain { ChainPolicy = ChainPolicy(roots) };
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        var errors = chain.Build(leaf) ? SslPolicyErrors.None : SslPolicyErrors.RemoteCertificateChainErrors;
        return Refusal(leaf, chain, errors, expectedHost, rootsFile, time);
    }

    /// <param name="chain">The chain the TLS stack built with <see cref="ChainPolicy"/> (its status explains a chain error).</param>
    /// <param name="errors">What the TLS stack found; only the chain verdict is taken from it, the name is checked here.</param>
    /// <param name="rootsFile">The file the roots came from, named in the reason.</param>
    public static string? Refusal(
        X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string expectedHost, string rootsFile, TimeProvider time)
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

        // Checked here, not by the HTTP handler: it checks the address host, which would make an override impossible.
        if (!leaf.MatchesHostname(expectedHost, allowWildcards: true, allowCommonName: false))
        {
            return $"the server certificate {Subject(leaf)} is not valid for host name {expectedHost} (it names {Names(leaf)})";
        }

        if (!errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            return null;
        }

        var status = chain is null ? "no chain" : string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
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
