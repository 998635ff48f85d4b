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

    /// <summary>
    /// The client certificate (the first of its file) with the private key of the key file: an ECDSA or RSA one ready
    /// for SslStream, or an Ed25519 one for <see cref="Ed25519TlsStream"/> (see <see cref="ClientCredential"/>).
    /// </summary>
    /// <exception cref="FabricInvokeException">
    /// Config: either file cannot be read (see <see cref="BoundedFile"/>), the certificate file is not usable (see
    /// <see cref="LoadCertificates"/>), or the key is not an unencrypted EC (or, for an Ed25519 certificate, PKCS#8
    /// Ed25519) private key matching the certificate.
    /// </exception>
    public static ClientCredential LoadClientCredential(ClientCertificateFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var certPem = BoundedFile.ReadText(files.CertFile, "TLS client certificate file", FileLimit.Certificates);
        var certs = ParseCertificates(certPem, files.CertFile, "TLS client certificate file");
        var keep = false;
        try
        {
            var keyPem = BoundedFile.ReadText(files.KeyFile, "TLS client key file", FileLimit.PrivateKey);
            if (Ed25519Keys.CertificatePublicKey(certs[0], files.CertFile) is { } publicKey)
            {
                var key = LoadEd25519ClientKey(keyPem, publicKey, files);
                keep = true;
                return ClientCredential.ForEd25519(certs, key);
            }

            return ClientCredential.ForSslStream(LoadClientCertificate(certs[0], keyPem, files));
        }
        finally
        {
            if (!keep)
            {
                Dispose(certs);
            }
        }
    }

    private static X509Certificate2 LoadClientCertificate(X509Certificate2 certificate, string keyPem, ClientCertificateFiles files)
    {
        try
        {
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
                using var withKey = certificate.CopyWithPrivateKey(key);

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
    }

    /// <summary>
    /// The key of an Ed25519 client certificate (Fabric 3's cryptogen issues them): PKCS#8 Ed25519, as the MSP's
    /// signing key. .NET cannot attach it to an X509Certificate2, so it stays a BouncyCastle key.
    /// </summary>
    private static Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters LoadEd25519ClientKey(
        string keyPem, byte[] certificatePublicKey, ClientCertificateFiles files)
    {
        var block = PemText.Parse(keyPem).FirstOrDefault(b => b.Label.EndsWith("PRIVATE KEY", StringComparison.Ordinal));
        if (block is not { Label: "PRIVATE KEY", Data: { } der } || block.Header("Proc-Type") is not null)
        {
            throw Failures.Config(files.KeyFile, ClientEd25519KeyUnusable);
        }

        Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters key;
        try
        {
            key = EcKeys.Pkcs8Algorithm(der, files.KeyFile) == Ed25519Keys.Oid
                ? Ed25519Keys.ParsePkcs8(der, files.KeyFile)
                : throw Failures.Config(files.KeyFile, "private key is not an Ed25519 key");
        }
        catch (FabricInvokeException e) when (e.Kind == FailureKind.Config)
        {
            // The TLS key keeps its own wording; what exactly is wrong is the inner exception.
            throw Failures.Config(files.KeyFile, ClientEd25519KeyUnusable, e);
        }

        return Ed25519Keys.PublicKey(key).AsSpan().SequenceEqual(certificatePublicKey)
            ? key
            : throw Failures.Config(files.KeyFile, ClientEd25519KeyUnusable);
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

    private const string ClientEd25519KeyUnusable = "TLS client key is not an unencrypted PKCS#8 Ed25519 private key matching the TLS client certificate";

    private static void Dispose(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
