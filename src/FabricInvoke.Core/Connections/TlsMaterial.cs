using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// The TLS files of one command's connections, each read and parsed once however many nodes name it: the roots (a
/// file, or a connection profile's PEM) and the mutual-TLS client certificate with its key. With 16 peers of two
/// organisations: 2 root reads instead of 16, and one client certificate instead of 17. Owns the client certificates
/// it loaded; dispose it after the connections that present them. Not thread-safe: one command creates its
/// connections in turn.
/// </summary>
internal sealed class TlsMaterial : IDisposable
{
    private readonly Dictionary<(string File, string? Pem), X509Certificate2Collection> _roots = [];
    private readonly Dictionary<ClientCertificateFiles, ClientCredential> _clientCertificates = [];

    /// <summary>The certificates <paramref name="endpoint"/> must chain to; the first time a file is named, it is read.</summary>
    /// <param name="role">"peer" or "orderer", for messages.</param>
    /// <exception cref="Errors.FabricInvokeException">Config: the file cannot be read, or holds no usable certificate.</exception>
    public X509Certificate2Collection RootsOf(NodeEndpoint endpoint, string role)
    {
        var file = endpoint.TlsRootCertFile ?? throw new ArgumentException("the endpoint does not use TLS", nameof(endpoint));
        var key = (file, endpoint.TlsRootPem);
        if (!_roots.TryGetValue(key, out var roots))
        {
            roots = endpoint.TlsRootPem is { } pem
                ? TlsFiles.ParseCertificates(pem, file, $"{role} TLS root certificate")
                : TlsFiles.LoadCertificates(file, $"{role} TLS root certificate file");
            _roots[key] = roots;
        }

        return roots;
    }

    /// <summary>The client certificate with its private key (ECDSA, RSA or Ed25519); the first time the pair is named, it is read.</summary>
    /// <exception cref="Errors.FabricInvokeException">Config: a file cannot be read, or the key does not fit the certificate.</exception>
    public ClientCredential ClientCertificate(ClientCertificateFiles files)
    {
        if (!_clientCertificates.TryGetValue(files, out var certificate))
        {
            certificate = TlsFiles.LoadClientCredential(files);
            _clientCertificates[files] = certificate;
        }

        return certificate;
    }

    public void Dispose()
    {
        foreach (var certificate in _clientCertificates.Values)
        {
            certificate.Dispose();
        }

        _clientCertificates.Clear();
    }
}
