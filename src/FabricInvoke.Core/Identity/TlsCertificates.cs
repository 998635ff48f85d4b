using System.Security.Cryptography;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Identity;

/// <summary>TLS certificate helpers that belong to the signed protocol messages.</summary>
public static class TlsCertificates
{
    /// <summary>
    /// SHA-256 of the DER of the first certificate in a PEM file: the <c>ChannelHeader.tls_cert_hash</c> that binds
    /// a deliver request to the client TLS certificate.
    /// </summary>
    /// <exception cref="FabricInvokeException">Config: the file cannot be read or holds no PEM certificate.</exception>
    public static byte[] CertificateHash(string pemFile)
    {
        ArgumentNullException.ThrowIfNull(pemFile);
        var text = IdentityFiles.ReadText(pemFile, "TLS certificate file");
        byte[]? der;
        try
        {
            der = PemText.FindFirst(text, "CERTIFICATE");
        }
        catch (FormatException e)
        {
            throw Failures.Config(pemFile, "TLS certificate file holds malformed PEM", e);
        }

        if (der is null)
        {
            throw Failures.Config(pemFile, "TLS certificate file holds no PEM certificate");
        }

        return SHA256.HashData(der);
    }
}
