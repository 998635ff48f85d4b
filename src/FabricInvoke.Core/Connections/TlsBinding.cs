using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FabricInvoke.Core.Connections;

/// <summary>The deliver request's TLS binding: <c>ChannelHeader.tls_cert_hash</c> = SHA-256 of the client certificate's DER.</summary>
internal static class TlsBinding
{
    public static byte[] CertificateHash(X509Certificate2 clientCertificate) => SHA256.HashData(clientCertificate.RawData);
}
