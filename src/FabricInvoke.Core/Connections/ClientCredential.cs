using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto.Parameters;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// A mutual-TLS client certificate with its private key, in the form the TLS stack that presents it needs: an ECDSA or
/// RSA one as an <see cref="X509Certificate2"/> holding its key (SslStream), an Ed25519 one as the certificate file's
/// certificates plus a BouncyCastle key (<see cref="Ed25519TlsStream"/>; .NET cannot attach an Ed25519 key to a
/// certificate). Owns the certificates.
/// </summary>
internal sealed class ClientCredential : IDisposable
{
    private readonly X509Certificate2Collection _chain;
    private X509Certificate2? _certificate;

    private ClientCredential(X509Certificate2 certificate, X509Certificate2Collection chain, Ed25519PrivateKeyParameters? ed25519Key)
    {
        _certificate = certificate;
        _chain = chain;
        Ed25519Key = ed25519Key;
    }

    /// <summary>The certificate presented (with its private key when it is not Ed25519).</summary>
    public X509Certificate2 Certificate => _certificate ?? throw new ObjectDisposedException(nameof(ClientCredential));

    /// <summary>The Ed25519 private key, or null for a certificate SslStream presents.</summary>
    public Ed25519PrivateKeyParameters? Ed25519Key { get; }

    /// <summary>Every certificate of the certificate file, the client's own first: what an Ed25519 handshake presents (as Go does).</summary>
    public X509Certificate2Collection Chain => _chain;

    public static ClientCredential ForSslStream(X509Certificate2 certificateWithKey) => new(certificateWithKey, [certificateWithKey], null);

    /// <param name="chain">The certificate file's certificates, the first one's key being <paramref name="key"/>; owned from now on.</param>
    public static ClientCredential ForEd25519(X509Certificate2Collection chain, Ed25519PrivateKeyParameters key) => new(chain[0], chain, key);

    public void Dispose()
    {
        foreach (var certificate in _chain)
        {
            certificate.Dispose();
        }

        _chain.Clear();
        _certificate = null;
    }
}
