using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using Grpc.Net.Client;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// One HTTP/2 connection to one Fabric node. A peer's Endorser and Deliver clients share it; disposing it closes both.
/// It connects lazily (on the first call) and remembers why it refused the server's certificate, so the failure can
/// say what was wrong instead of quoting the TLS stack.
/// </summary>
internal sealed class NodeConnection : IDisposable
{
    private readonly X509Certificate2? _clientCertificate;
    private readonly TlsRefusalNote _refusal;

    private NodeConnection(
        string role, NodeEndpoint endpoint, TransportSettings transport, IProgressObserver observer, TimeProvider time,
        GrpcChannel channel, X509Certificate2? clientCertificate, TlsRefusalNote refusal)
    {
        Role = role;
        Endpoint = endpoint;
        ConnectTimeout = transport.ConnectTimeout;
        Observer = observer;
        Time = time;
        Channel = channel;
        _clientCertificate = clientCertificate;
        _refusal = refusal;
    }

    /// <summary>"peer" or "orderer", for messages.</summary>
    public string Role { get; }

    public NodeEndpoint Endpoint { get; }

    /// <summary>The address as the user wrote it.</summary>
    public string Address => Endpoint.Address.ToString();

    /// <summary>How long establishing the connection may take, retries included (--connTimeout).</summary>
    public TimeSpan ConnectTimeout { get; }

    /// <summary>Told about each connect retry.</summary>
    public IProgressObserver Observer { get; }

    public TimeProvider Time { get; }

    public GrpcChannel Channel { get; }

    /// <summary>Why the last TLS handshake refused the server's certificate, or null.</summary>
    public string? TlsRefusal => _refusal.Reason;

    /// <summary>SHA-256 of the DER of the mutual-TLS client certificate (the deliver request's TLS binding); empty without one.</summary>
    public byte[] ClientCertificateHash() => _clientCertificate is null ? [] : TlsBinding.CertificateHash(_clientCertificate);

    /// <summary>Creates the channel. Reads the TLS files now, so a missing or bad file fails before any network traffic.</summary>
    /// <exception cref="FabricInvokeException">Config: a TLS root or client certificate file cannot be used.</exception>
    public static NodeConnection Create(string role, NodeEndpoint endpoint, TransportSettings transport, IProgressObserver observer, TimeProvider time)
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
        var refusal = new TlsRefusalNote();
        try
        {
            if (endpoint.UseTls)
            {
                var roots = TlsFiles.LoadCertificates(endpoint.TlsRootCertFile!, $"{role} TLS root certificate file");
                var targetHost = endpoint.ServerNameOverride ?? endpoint.Address.Host;
                var ssl = new SslClientAuthenticationOptions
                {
                    TargetHost = targetHost,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    {
                        refusal.Reason = ServerCertificateCheck.Refusal(certificate, errors, roots, targetHost, endpoint.TlsRootCertFile!, time);
                        return refusal.Reason is null;
                    },
                };
                if (transport.ClientCertificate is { } files)
                {
                    clientCertificate = TlsFiles.LoadClientCertificate(files);
                    ssl.ClientCertificates = [clientCertificate];
                    var presented = clientCertificate;
                    ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => presented;
                }

                handler.SslOptions = ssl;
            }

            var channel = GrpcChannel.ForAddress(new Uri($"{(endpoint.UseTls ? "https" : "http")}://{endpoint.Address}"), new GrpcChannelOptions
            {
                HttpHandler = handler,
                DisposeHttpClient = true,
                ThrowOperationCanceledOnCancellation = true,
                MaxReceiveMessageSize = 100 * 1024 * 1024,
                MaxSendMessageSize = 100 * 1024 * 1024,
            });
            return new NodeConnection(role, endpoint, transport, observer, time, channel, clientCertificate, refusal);
        }
        catch
        {
            handler.Dispose();
            clientCertificate?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Channel.Dispose();
        _clientCertificate?.Dispose();
    }
}

/// <summary>Where a handshake's certificate check leaves its reason for the error message (written on the TLS thread).</summary>
internal sealed class TlsRefusalNote
{
    private volatile string? _reason;

    public string? Reason
    {
        get => _reason;
        set => _reason = value;
    }
}
