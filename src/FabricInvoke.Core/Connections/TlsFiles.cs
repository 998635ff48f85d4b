using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;

namespace FabricInvoke.Core.Connections;

/// <summary>Reads TLS material (through <see cref="BoundedFile"/> and <see cref="PemText"/>) and checks server certificates against the roots the user named.</summary>
internal static class TlsFiles
{
    /// <summary>Every certificate of a PEM file (a TLS root, a CA bundle, a client certificate and its chain).</summary>
    /// <param name="file">The file, named in every failure.</param>
    /// <param name="what">What it is, for messages: "peer TLS root certificate file".</param>
    /// <exception cref="FabricInvokeException">
    /// Config: the file cannot be read (missing, a directory, not a regular file, over 1 MiB, unreadable; see
    /// <see cref="BoundedFile"/>), a CERTIFICATE block is not a certificate, or there is no undamaged one.
    /// </exception>
    public static X509Certificate2Collection LoadCertificates(string file, string what) =>
        ParseCertificates(BoundedFile.ReadText(file, what, FileLimit.Certificates), file, what);

    /// <summary>Every certificate of PEM text read already; <paramref name="file"/> names where it came from.</summary>
    /// <exception cref="FabricInvokeException">Config: a CERTIFICATE block is not a certificate, or there is no undamaged one.</exception>
    public static X509Certificate2Collection ParseCertificates(string pem, string file, string what)
    {
        var collection = new X509Certificate2Collection();
        var damaged = false;
        try
        {
            foreach (var block in PemText.Parse(pem))
            {
                if (block.Label != "CERTIFICATE")
                {
                    continue;
                }

                if (block.Data is not { } der)
                {
                    // As X509Certificate2Collection.ImportFromPem did (and Go's pem.Decode does): a damaged block is
                    // passed over, and only matters when nothing usable is left.
                    damaged = true;
                    continue;
                }

                collection.Add(X509CertificateLoader.LoadCertificate(der));
            }
        }
        catch (CryptographicException e)
        {
            Dispose(collection);
            throw Failures.Config(file, $"{what} holds a malformed PEM certificate", e);
        }

        if (collection.Count == 0)
        {
            throw Failures.Config(file, damaged ? $"{what} holds a malformed PEM certificate" : $"{what} holds no PEM certificate");
        }

        return collection;
    }

    /// <summary>How <see cref="LoadClientCertificate"/> hands the key to the platform: widely importable (3DES, SHA-1), one iteration.</summary>
    private static readonly PbeParameters InProcessPkcs12 = new(PbeEncryptionAlgorithm.TripleDes3KeyPkcs12, HashAlgorithmName.SHA1, 1);

    /// <summary>The client certificate (the first of its file) with the private key of the key file, usable by SslStream.</summary>
    /// <exception cref="FabricInvokeException">
    /// Config: either file cannot be read (see <see cref="BoundedFile"/>), the certificate file is not usable (see
    /// <see cref="LoadCertificates"/>), or the key is not an unencrypted EC private key matching the certificate.
    /// </exception>
    public static X509Certificate2 LoadClientCertificate(ClientCertificateFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var certPem = BoundedFile.ReadText(files.CertFile, "TLS client certificate file", FileLimit.Certificates);
        var certs = ParseCertificates(certPem, files.CertFile, "TLS client certificate file");
        try
        {
            var keyPem = BoundedFile.ReadText(files.KeyFile, "TLS client key file", FileLimit.PrivateKey);
            if (Ed25519Keys.CertificatePublicKey(certs[0], files.CertFile) is not null)
            {
                return LoadEd25519ClientCertificate(certPem, keyPem, files);
            }

            ECDsa key;
            try
            {
                key = EcKeys.ParseAnyCurve(keyPem, files.KeyFile);
            }
            catch (FabricInvokeException e) when (e.Kind == FailureKind.Config)
            {
                // The TLS key keeps its own wording; what exactly is wrong is the inner exception.
                throw Failures.Config(files.KeyFile, ClientKeyUnusable, e);
            }

            using (key)
            {
                using var withKey = certs[0].CopyWithPrivateKey(key);

                // Round-trip through PKCS#12 so SslStream on every platform can use the key. The blob never leaves
                // this process and has no password, so one key-derivation iteration protects it as well as 2,000:
                // the default parameters cost about ten times as much per load (figures in docs/performance.md).
                return X509CertificateLoader.LoadPkcs12(withKey.ExportPkcs12(InProcessPkcs12, null), null);
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw Failures.Config(files.KeyFile, ClientKeyUnusable, e);
        }
        finally
        {
            Dispose(certs);
        }
    }

    /// <summary>
    /// An Ed25519 client certificate (Fabric 3's cryptogen issues them) goes through the platform's own PEM import.
    /// .NET 10 cannot attach an Ed25519 key to a certificate on any platform (no CopyWithPrivateKey overload; its PEM
    /// and PKCS#12 imports, OpenSSL-built PKCS#12 included, refuse OID 1.3.101.112) and SslStream presents only RSA,
    /// ECDSA and DSA keys, so today this ends in a Config error that quotes the platform's reason and says what works.
    /// </summary>
    private static X509Certificate2 LoadEd25519ClientCertificate(string certPem, string keyPem, ClientCertificateFiles files)
    {
        try
        {
            using var withKey = X509Certificate2.CreateFromPem(certPem, keyPem);
            return X509CertificateLoader.LoadPkcs12(withKey.ExportPkcs12(InProcessPkcs12, null), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw Failures.Config(
                files.CertFile,
                $"the TLS client certificate has an Ed25519 key, which .NET's TLS cannot present ({e.Message.TrimEnd('.')}); for mutual TLS use an ECDSA or RSA client certificate issued by a TLS CA of the channel (the Ed25519 MSP identity still signs)",
                e);
        }
    }

    /// <summary>
    /// Accepts the server certificate only when it chains to one of <paramref name="roots"/> and names
    /// <paramref name="expectedHost"/> in its subject alternative names (as Go's TLS does: no common-name fallback).
    /// The name is checked here because the HTTP handler always validates against the address host, which would
    /// make a server-name override impossible.
    /// </summary>
    public static bool ValidateServerCertificate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots, string expectedHost)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        if (!leaf.MatchesHostname(expectedHost, allowWildcards: true, allowCommonName: false))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(roots);
        return chain.Build(leaf);
    }

    private const string ClientKeyUnusable = "TLS client key is not an unencrypted EC private key matching the TLS client certificate";

    private static void Dispose(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
