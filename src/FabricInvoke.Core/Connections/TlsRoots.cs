using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// The TLS roots of one command's connections, each file (or connection-profile PEM) read and parsed once: with 16
/// peers of two organisations, 2 reads instead of 16. Not thread-safe; one command creates its connections in turn.
/// </summary>
internal sealed class TlsRoots
{
    private readonly Dictionary<(string File, string? Pem, string Role), X509Certificate2Collection> _read = [];

    /// <summary>The certificates <paramref name="endpoint"/> must chain to; the first time a file is named, it is read.</summary>
    /// <param name="role">"peer" or "orderer", for messages.</param>
    /// <exception cref="Errors.FabricInvokeException">Config: the file cannot be read, or holds no usable certificate.</exception>
    public X509Certificate2Collection Of(NodeEndpoint endpoint, string role)
    {
        var file = endpoint.TlsRootCertFile ?? throw new ArgumentException("the endpoint does not use TLS", nameof(endpoint));
        var key = (file, endpoint.TlsRootPem, role);
        if (!_read.TryGetValue(key, out var roots))
        {
            roots = endpoint.TlsRootPem is { } pem
                ? TlsFiles.ParseCertificates(pem, file, $"{role} TLS root certificate")
                : TlsFiles.LoadCertificates(file, $"{role} TLS root certificate file");
            _read[key] = roots;
        }

        return roots;
    }
}
