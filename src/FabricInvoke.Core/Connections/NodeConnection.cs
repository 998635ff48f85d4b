using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using Grpc.Net.Client;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// One HTTP/2 connection to one Fabric node. A peer's Endorser and Deliver clients share it;
/// disposing it closes both.
/// </summary>
public sealed class NodeConnection : IDisposable
{
    private NodeConnection(string role, NodeEndpoint endpoint, GrpcChannel channel, X509Certificate2? clientCertificate, TimeSpan connectTimeout, Action<RetryNotice>? onRetry)
    {
        ConnectTimeout = connectTimeout;
        OnRetry = onRetry;
        Role = role;
        Endpoint = endpoint;
        Channel = channel;
        ClientCertificate = clientCertificate;
    }

    /// <summary>How long establishing the connection may take, retries included (--connTimeout).</summary>
    public TimeSpan ConnectTimeout { get; }

    /// <summary>Told about each connect retry, so a front end can report it.</summary>
    public Action<RetryNotice>? OnRetry { get; }

    /// <summary>"peer" or "orderer", for messages.</summary>
    public string Role { get; }

    public NodeEndpoint Endpoint { get; }

    /// <summary>The address as the user wrote it.</summary>
    public string Address => Endpoint.Address.ToString();

    public GrpcChannel Channel { get; }

    /// <summary>The mutual-TLS client certificate presented on this connection, if any.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Creates the channel. Reads the TLS files now, so a missing or bad file fails before any network traffic.</summary>
    /// <exception cref="FabricInvokeException">Config: a TLS root or client certificate file cannot be used.</exception>
    public static NodeConnection Create(string role, NodeEndpoint endpoint, TransportSettings transport, Action<RetryNotice>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(transport);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = transport.ConnectTimeout,
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        };

        X509Certificate2? clientCertificate = null;
        if (endpoint.UseTls)
        {
            var roots = TlsFiles.LoadCertificates(endpoint.TlsRootCertFile!, $"{role} TLS root certificate file");
            var targetHost = endpoint.ServerNameOverride ?? endpoint.Address.Host;
            var ssl = new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    TlsFiles.ValidateServerCertificate(certificate, errors, roots, targetHost),
            };
            if (transport.ClientCertificate is { } files)
            {
                clientCertificate = TlsFiles.LoadClientCertificate(files);
                ssl.ClientCertificates = [clientCertificate];
                ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
            }

            handler.SslOptions = ssl;
        }

        var scheme = endpoint.UseTls ? "https" : "http";
        var uri = new Uri($"{scheme}://{endpoint.Address}");
        var channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            ThrowOperationCanceledOnCancellation = true,
            MaxReceiveMessageSize = 100 * 1024 * 1024,
            MaxSendMessageSize = 100 * 1024 * 1024,
        });
        return new NodeConnection(role, endpoint, channel, clientCertificate, transport.ConnectTimeout, onRetry);
    }

    /// <summary>SHA-256 of the DER of the client certificate, for the deliver request's TLS binding.</summary>
    public byte[] ClientCertificateHash() =>
        ClientCertificate is null ? [] : SHA256.HashData(ClientCertificate.RawData);

    public void Dispose()
    {
        Channel.Dispose();
        ClientCertificate?.Dispose();
    }
}
