using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Connections;

/// <summary>Reads TLS material and checks server certificates against the roots the user named.</summary>
internal static class TlsFiles
{
    /// <exception cref="FabricInvokeException">Config: missing, unreadable, or holding no PEM certificate.</exception>
    public static X509Certificate2Collection LoadCertificates(string file, string what)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Failures.Config(file, $"cannot read {what} ({Describe(e)})", e);
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw Failures.Config(file, $"{what} holds a malformed PEM certificate", e);
        }

        if (collection.Count == 0)
        {
            throw Failures.Config(file, $"{what} holds no PEM certificate");
        }

        return collection;
    }

    /// <exception cref="FabricInvokeException">Config: the certificate or key cannot be used, or they do not match.</exception>
    public static X509Certificate2 LoadClientCertificate(ClientCertificateFiles files)
    {
        var certs = LoadCertificates(files.CertFile, "TLS client certificate file");
        string keyPem;
        try
        {
            keyPem = File.ReadAllText(files.KeyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Failures.Config(files.KeyFile, $"cannot read TLS client key file ({Describe(e)})", e);
        }

        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(keyPem);
            using var withKey = certs[0].CopyWithPrivateKey(key);

            // Round-trip through PKCS#12 so SslStream on every platform can use the key.
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw Failures.Config(files.KeyFile, "TLS client key is not an unencrypted EC private key matching the TLS client certificate", e);
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

    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
