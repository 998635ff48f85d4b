using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.DevNet.Peer;
using FabricInvoke.DevNet.Validation;
using Grpc.Net.Client;

namespace FabricInvoke.DevNet.Gateway;

/// <summary>
/// A gateway peer's gRPC connections to the other nodes of its channel (other peers' Endorser, the orderer's
/// Broadcast), over TLS as a Fabric peer makes them: the server certificate must chain to a TLS CA of the channel and
/// name the address, and the peer presents its own TLS certificate (for nodes that require client certificates). One
/// channel per address, made on first use and kept until the peer's server stops.
/// </summary>
internal sealed class GatewayConnections(DevPeerNode self, MspRegistry msp) : IDisposable
{
    /// <summary>Bound on connecting to another node (a Fabric peer's gateway dial timeout is of this order).</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Lazy<GrpcChannel>> _channels = new(StringComparer.Ordinal);
    private readonly Lazy<X509Certificate2> _clientCertificate = new(self.Identity.LoadTlsCertificate);

    public GrpcChannel For(string address) => _channels.GetOrAdd(address, a => new Lazy<GrpcChannel>(() => Create(a))).Value;

    public void Dispose()
    {
        foreach (var channel in _channels.Values.Where(c => c.IsValueCreated))
        {
            channel.Value.Dispose();
        }

        if (_clientCertificate.IsValueCreated)
        {
            _clientCertificate.Value.Dispose();
        }
    }

    private GrpcChannel Create(string address)
    {
        var roots = msp.Members.Select(m => m.TlsCa).ToList();
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = ConnectTimeout,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [_clientCertificate.Value],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate is not null && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && ChainsToChannelTlsCa(certificate, roots),
            },
        };
        return GrpcChannel.ForAddress("https://" + address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private static bool ChainsToChannelTlsCa(X509Certificate certificate, List<X509Certificate2> roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(server);
    }
}
