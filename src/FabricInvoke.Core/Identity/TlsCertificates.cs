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
    /// <exception cref="FabricInvokeException">
    /// Config: the file cannot be read (see <see cref="BoundedFile"/>: missing, not a regular file, over 1 MiB, …), or
    /// holds no undamaged PEM certificate.
    /// </exception>
    public static byte[] CertificateHash(string pemFile)
    {
        ArgumentNullException.ThrowIfNull(pemFile);
        var text = BoundedFile.ReadText(pemFile, "TLS certificate file", FileLimit.Certificates);
        var der = PemText.FindFirst(PemText.Parse(text), "CERTIFICATE", out var damaged);
        if (der is null)
        {
            throw Failures.Config(pemFile, damaged ? "TLS certificate file holds malformed PEM" : "TLS certificate file holds no PEM certificate");
        }

        return SHA256.HashData(der);
    }
}
