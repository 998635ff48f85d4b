using System.Net.Security;
using System.Net.Sockets;
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
    private readonly ClientCredential? _clientCertificate;
    private readonly TlsRefusalNote _refusal;

    private NodeConnection(
        string role, NodeEndpoint endpoint, TransportSettings transport, IProgressObserver observer, TimeProvider time,
        GrpcChannel channel, ClientCredential? clientCertificate, TlsRefusalNote refusal, ConnectTimings timings, bool ownsChannel = true)
    {
        OwnsChannel = ownsChannel;
        StartupShortcuts = transport.StartupShortcuts;
        Timings = timings;
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

    /// <summary>How long establishing the connection may take, retries included (the connect timeout).</summary>
    public TimeSpan ConnectTimeout { get; }

    /// <summary>Told about each connect retry.</summary>
    public IProgressObserver Observer { get; }

    public TimeProvider Time { get; }

    public GrpcChannel Channel { get; }

    /// <summary>False for a channel the caller brought: it stays open when this connection is disposed.</summary>
    public bool OwnsChannel { get; }

    /// <summary>The CLI's start-up shortcuts are on (<see cref="TransportSettings.StartupShortcuts"/>).</summary>
    public bool StartupShortcuts { get; }

    /// <summary>When the last TCP connect and TLS handshake of this connection happened.</summary>
    public ConnectTimings Timings { get; }

    /// <summary>Why the last TLS handshake refused the server's certificate, or null.</summary>
    public string? TlsRefusal => _refusal.Reason;

    /// <summary>
    /// Why a connection that failed to come up failed for want of a TLS client certificate, or null: none was
    /// configured and the node asked for one during a handshake, or closed the TLS session after a handshake had
    /// accepted its certificate — what a node that requires mutual TLS does (Go's TLS 1.3 server sends its alert after
    /// the client's last flight). Facts about the node, kept for this connection's life: a connection attempt that
    /// starts meanwhile (another call on the channel) does not hide them from the call that failed. Only meaningful
    /// for a call that failed to connect, and not for a TCP failure or a timeout
    /// (<see cref="RpcFailure.NeedsClientCertificate"/> decides); a refused server certificate is the better explanation.
    /// </summary>
    public string? ClientCertificateRefusal =>
        _clientCertificate is not null || !Endpoint.UseTls || _refusal.Reason is not null ? null
        : _refusal.ClientCertificateRequested ? $"the {Role} asked for a TLS client certificate (it requires mutual TLS) and none was given"
        : _refusal.ServerCertificateAccepted ? $"the {Role} closed the TLS session during the handshake, as a node that requires a TLS client certificate (mutual TLS) does when none is given"
        : null;

    /// <summary>True when this connection presents a TLS client certificate (mutual TLS).</summary>
    public bool HasClientCertificate => _clientCertificate is not null;

    /// <summary>SHA-256 of the DER of the mutual-TLS client certificate (the deliver request's TLS binding); empty without one.</summary>
    public byte[] ClientCertificateHash() => _clientCertificate is null ? [] : TlsBinding.CertificateHash(_clientCertificate.Certificate);

    /// <summary>Creates the channel. Reads the TLS files now, so a missing or bad file fails before any network traffic.</summary>
    /// <param name="tls">The command's TLS files, shared by its connections (it owns the client certificate).</param>
    /// <exception cref="FabricInvokeException">Config: a TLS root or client certificate file cannot be used.</exception>
    public static NodeConnection Create(
        string role, NodeEndpoint endpoint, TransportSettings transport, IProgressObserver observer, TimeProvider time, TlsMaterial tls)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(tls);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = transport.ConnectTimeout,
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        };

        ClientCredential? clientCertificate = null;
        var refusal = new TlsRefusalNote();
        var timings = new ConnectTimings();
        var budget = new ConnectBudget(transport.ConnectTimeout, time);
        Func<Stream, CancellationToken, ValueTask<Stream>>? secure = null; // TLS done here rather than by the handler
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            if (!budget.TryStartAttempt(out var remaining))
            {
                // A call that queued behind an attempt that timed out would otherwise start a second full connect timeout.
                throw new TimeoutException(RpcFailure.ConnectTimedOut);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var started = time.GetTimestamp();

            // The handler's token bounds the TLS handshake too (after this returns): its firing is this attempt's end.
            cancellationToken.Register(() => budget.AttemptCancelled(started));
            using var left = new CancellationTokenSource(remaining, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, left.Token);
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (left.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new TimeoutException(RpcFailure.ConnectTimedOut);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            timings.Connected(started, time.GetTimestamp());
            if (!endpoint.UseTls)
            {
                budget.Succeeded();
            }

            var stream = new NetworkStream(socket, ownsSocket: true);
            return secure is null ? stream : await secure(stream, cancellationToken).ConfigureAwait(false);
        };
        try
        {
            if (endpoint.UseTls && transport.ClientCertificate is { } ed25519Files && tls.ClientCertificate(ed25519Files) is { Ed25519Key: not null } ed25519)
            {
                // An Ed25519 client certificate, which SslStream cannot present: TLS in Ed25519TlsStream, HTTP/2 over it as h2c.
                clientCertificate = ed25519;
                var roots = tls.RootsOf(endpoint, role);
                var targetHost = endpoint.ServerNameOverride ?? endpoint.Address.Host;
                var rootsFile = endpoint.TlsRootCertFile!;
                secure = (stream, cancellationToken) => Ed25519TlsStream.ConnectAsync(stream, targetHost, ed25519, (leaf, others) =>
                {
                    var reason = ServerCertificateCheck.Verify(leaf, others, roots, targetHost, rootsFile, time);
                    refusal.ServerCertificateChecked(reason);
                    timings.Verified(time.GetTimestamp());
                    if (reason is null)
                    {
                        budget.Succeeded();
                    }

                    return reason is null;
                }, cancellationToken);
            }
            else if (endpoint.UseTls)
            {
                var roots = tls.RootsOf(endpoint, role);
                var targetHost = endpoint.ServerNameOverride ?? endpoint.Address.Host;
                var ssl = new SslClientAuthenticationOptions
                {
                    TargetHost = targetHost,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CertificateChainPolicy = ServerCertificateCheck.ChainPolicy(roots),
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    {
                        var reason = ServerCertificateCheck.Refusal(certificate, chain, errors, targetHost, endpoint.TlsRootCertFile!, time);
                        refusal.ServerCertificateChecked(reason);
                        timings.Verified(time.GetTimestamp());
                        if (reason is null)
                        {
                            budget.Succeeded();
                        }

                        return reason is null;
                    },
                };
                if (transport.ClientCertificate is { } files)
                {
                    clientCertificate = tls.ClientCertificate(files);
                    var presented = clientCertificate.Certificate;
                    ssl.ClientCertificates = [presented];
                    ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => presented;
                }
                else
                {
                    // None to give; but a server that asks for one (its certificate is known by then, unlike in the
                    // selection made before the handshake) will refuse the connection: note it for the error message.
                    ssl.LocalCertificateSelectionCallback = (_, _, _, remote, _) =>
                    {
                        if (remote is not null)
                        {
                            refusal.ClientCertificateAsked();
                        }

                        return null!;
                    };
                }

                handler.SslOptions = ssl;
            }

            var channel = GrpcChannel.ForAddress(new Uri($"{(endpoint.UseTls && secure is null ? "https" : "http")}://{endpoint.Address}"), new GrpcChannelOptions
            {
                HttpHandler = handler,
                DisposeHttpClient = true,
                ThrowOperationCanceledOnCancellation = true,
                MaxReceiveMessageSize = 100 * 1024 * 1024,
                MaxSendMessageSize = 100 * 1024 * 1024,
            });
            return new NodeConnection(role, endpoint, transport, observer, time, channel, clientCertificate, refusal, timings);
        }
        catch
        {
            handler.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A connection over a channel the caller created and owns (its handler decides TLS and timeouts); never disposed
    /// here. Failures name <paramref name="address"/>.
    /// </summary>
    public static NodeConnection FromChannel(string role, GrpcChannel channel, string address, TimeSpan connectTimeout, IProgressObserver observer, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var endpoint = new NodeEndpoint(Configuration.Endpoint.Parse(address, role), null, null);
        return new NodeConnection(role, endpoint, new TransportSettings(connectTimeout, null), observer, time, channel, null, new TlsRefusalNote(), new ConnectTimings(), ownsChannel: false);
    }

    /// <summary>Closes the channel when it is ours; the client certificate belongs to the command's <see cref="TlsMaterial"/>.</summary>
    public void Dispose()
    {
        if (OwnsChannel)
        {
            Channel.Dispose();
        }
    }
}

/// <summary>
/// The connect timeout counted once per endpoint, not once per connection attempt: the attempts made since the last
/// connection that was established share one budget. Several calls share a node's connection (a peer's deliver stream
/// and its endorsement), and a call that queued behind an attempt that timed out would start a fresh attempt with a
/// fresh timeout of its own; with the budget spent it fails at once, as a connect timeout. A budget that ran out long
/// ago (twice the timeout) starts over, so a long-running command (events reconnecting) gets a real attempt again.
/// </summary>
internal sealed class ConnectBudget(TimeSpan limit, TimeProvider time)
{
    private readonly Lock _gate = new();
    private bool _active;
    private bool _spent;
    private long _started;

    /// <summary>Called as a connection attempt starts: false when this endpoint's connect time is spent.</summary>
    /// <param name="remaining">What is left of it, for this attempt's TCP connect.</param>
    public bool TryStartAttempt(out TimeSpan remaining)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (!_active || time.GetElapsedTime(_started, now) >= limit * 2)
            {
                (_active, _spent, _started) = (true, false, now);
                remaining = limit;
                return true;
            }

            remaining = limit - time.GetElapsedTime(_started, now);
            return !_spent && remaining > TimeSpan.Zero;
        }
    }

    /// <summary>
    /// The handler gave up an attempt started at <paramref name="attemptStarted"/> (its connect timeout, which bounds
    /// the TLS handshake as well, or the call's cancellation) before a connection was made. One that ran for most of
    /// the timeout was the timeout: the budget is spent, however little of it the clock says is left (the handler's
    /// timer started a moment before this attempt's own clock).
    /// </summary>
    public void AttemptCancelled(long attemptStarted)
    {
        lock (_gate)
        {
            if (_active && attemptStarted >= _started && time.GetElapsedTime(attemptStarted) >= limit * 0.75)
            {
                _spent = true;
            }
        }
    }

    /// <summary>A connection was established (TCP, and the server's certificate accepted with TLS): the next attempt starts a new budget.</summary>
    public void Succeeded()
    {
        lock (_gate)
        {
            (_active, _spent) = (false, false);
        }
    }
}

/// <summary>
/// What the handshakes with one node showed, for the error message (written on the TLS threads, read by the call that
/// failed): why the server's certificate was last refused; whether a handshake ever accepted it; whether the node ever
/// asked for a client certificate when none was configured. The last two are facts about the node, not about one
/// attempt: they stay true for the connection's life, so a connection attempt that another call starts meanwhile
/// cannot hide them from the call whose attempt failed (calls share the connection and attempts overlap).
/// </summary>
internal sealed class TlsRefusalNote
{
    private volatile string? _reason;
    private volatile bool _serverCertificateAccepted;
    private volatile bool _clientCertificateRequested;

    /// <summary>Why the last handshake refused the server's certificate, or null (none did, or the last one accepted it).</summary>
    public string? Reason => _reason;

    /// <summary>A handshake accepted the server's certificate (it stays accepted; a later refusal is <see cref="Reason"/>).</summary>
    public bool ServerCertificateAccepted => _serverCertificateAccepted;

    /// <summary>The node asked for a TLS client certificate and none was configured.</summary>
    public bool ClientCertificateRequested => _clientCertificateRequested;

    /// <summary>A handshake judged the server's certificate: <paramref name="refusal"/> says why it was refused, null when accepted.</summary>
    public void ServerCertificateChecked(string? refusal)
    {
        _reason = refusal;
        if (refusal is null)
        {
            _serverCertificateAccepted = true;
        }
    }

    /// <summary>The node asked for a client certificate during a handshake (and there was none to give).</summary>
    public void ClientCertificateAsked() => _clientCertificateRequested = true;
}

/// <summary>
/// Clock timestamps of a connection's last establishment: TCP connect start and end, and the moment its server
/// certificate was checked (the end of the TLS handshake, bar the client's last flight). Written on the handler's
/// threads, read by the stage that caused the connection.
/// </summary>
internal sealed class ConnectTimings
{
    private readonly Lock _gate = new();
    private long _started;
    private long _connected;
    private long _verified;

    public void Connected(long started, long connected)
    {
        lock (_gate)
        {
            (_started, _connected, _verified) = (started, connected, 0);
        }
    }

    public void Verified(long at)
    {
        lock (_gate)
        {
            _verified = at;
        }
    }

    /// <summary>TCP connect and TLS time of a connection established after <paramref name="since"/>, or zeros when it was reused.</summary>
    public (TimeSpan Connect, TimeSpan Tls) EstablishedSince(long since, TimeProvider time)
    {
        lock (_gate)
        {
            if (_started < since || _connected == 0)
            {
                return (TimeSpan.Zero, TimeSpan.Zero);
            }

            return (time.GetElapsedTime(_started, _connected), _verified >= _connected ? time.GetElapsedTime(_connected, _verified) : TimeSpan.Zero);
        }
    }
}
