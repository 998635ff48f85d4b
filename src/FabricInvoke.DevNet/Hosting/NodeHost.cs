using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FabricInvoke.DevNet.Hosting;

/// <summary>
/// One node's gRPC server: its own Kestrel on 127.0.0.1 with an OS-chosen port, HTTP/2 over TLS only, optional
/// mandatory client certificates, no logging output. It can be stopped and started again on the same port (a node
/// restart): the port stays reserved meanwhile, so nothing else can take it and connections are refused.
/// </summary>
internal sealed class NodeHost : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    private readonly X509Certificate2 _certificate;
    private readonly Func<X509Certificate2, bool>? _clientCertificateValidator;
    private readonly Action<IServiceCollection> _services;
    private readonly Action<WebApplication> _map;
    private readonly PortReservation _port;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;
    private CancellationTokenSource? _crash;
    private bool _disposed;

    private NodeHost(
        PortReservation port, X509Certificate2 certificate, Func<X509Certificate2, bool>? clientCertificateValidator, Action<IServiceCollection> services, Action<WebApplication> map)
    {
        _port = port;
        _certificate = certificate;
        _clientCertificateValidator = clientCertificateValidator;
        _services = services;
        _map = map;
        Address = $"127.0.0.1:{port.Port}";
    }

    /// <summary>"127.0.0.1:&lt;port&gt;".</summary>
    public string Address { get; }

    /// <summary>True while the server accepts connections (between a start and a stop).</summary>
    public bool IsRunning => Volatile.Read(ref _app) is not null;

    /// <summary>Starts a server presenting <paramref name="certificate"/>; <paramref name="services"/> registers services, <paramref name="map"/> maps them.</summary>
    /// <param name="clientCertificateValidator">When not null, clients must present a certificate this accepts.</param>
    /// <param name="port">The port to bind, 0 for a free one.</param>
    public static async Task<NodeHost> StartAsync(
        int port,
        X509Certificate2 certificate,
        Func<X509Certificate2, bool>? clientCertificateValidator,
        Action<IServiceCollection> services,
        Action<WebApplication> map,
        CancellationToken cancellationToken)
    {
        var reservation = PortReservation.Take(port);
        var host = new NodeHost(reservation, certificate, clientCertificateValidator, services, map);
        try
        {
            await host.ResumeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            reservation.Dispose();
            throw;
        }

        return host;
    }

    /// <summary>
    /// Stops serving as a killed node would: every call in flight (deliver streams included) is reset at once, then
    /// the listener closes; the port stays reserved, so a client's connection is refused until <see cref="ResumeAsync"/>.
    /// </summary>
    public async Task CrashAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_app is not { } app)
            {
                return;
            }

            await _crash!.CancelAsync().ConfigureAwait(false);
            await StopAppAsync(app).ConfigureAwait(false);
            _crash.Dispose();
            (_app, _crash) = (null, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Serves again on the same port (a no-op while running).</summary>
    /// <exception cref="IOException">The port cannot be bound.</exception>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_app is not null)
            {
                return;
            }

            var crash = new CancellationTokenSource();
            var app = Build(crash.Token);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await app.DisposeAsync().ConfigureAwait(false);
                crash.Dispose();
                throw;
            }

            (_app, _crash) = (app, crash);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_app is { } app)
            {
                await StopAppAsync(app).ConfigureAwait(false);
                _crash!.Dispose();
                (_app, _crash) = (null, null);
            }

            _certificate.Dispose();
            _port.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task StopAppAsync(WebApplication app)
    {
        using (var timeout = new CancellationTokenSource(ShutdownTimeout))
        {
            try
            {
                await app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that did not close in time are dropped by DisposeAsync below.
            }
        }

        await app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Concurrent HTTP/2 streams one client connection may have open (Kestrel's default is 100).</summary>
    internal const int MaxStreamsPerConnection = 10_000;

    private WebApplication Build(CancellationToken crash)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "FabricInvoke.DevNet" });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = _port.CreateListenSocket);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // A Fabric node (grpc-go) sets no limit on concurrent streams per connection; Kestrel's default of 100
            // would queue a client's 101st call (a deliver stream, an endorsement) behind the others, past its deadline.
            kestrel.Limits.Http2.MaxStreamsPerConnection = MaxStreamsPerConnection;

            // grpc-go ignores a request's :scheme; Kestrel resets a stream whose :scheme is not the transport's. A
            // client that does TLS below its HTTP/2 stack (fabinvoke with an Ed25519 client certificate) says "http".
            kestrel.AllowAlternateSchemes = true;
            kestrel.Listen(IPAddress.Loopback, _port.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = _certificate;
                    if (_clientCertificateValidator is { } validator)
                    {
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (client, _, _) => validator(client);
                    }
                });
            });
        });
        builder.Services.AddRouting();
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = 100 * 1024 * 1024);
        _services(builder.Services);

        var app = builder.Build();

        // A crash resets every call in flight (an HTTP/2 RST_STREAM), as a killed process's peer would see it.
        app.Use(async (HttpContext context, RequestDelegate next) =>
        {
            using var registration = crash.Register(context.Abort);
            await next(context).ConfigureAwait(false);
        });
        app.UseRouting();
        _map(app);
        return app;
    }

    /// <summary>
    /// Keeps a node's port while it is stopped: a socket bound (never listening) with SO_REUSEPORT, which the
    /// listener, created with SO_REUSEPORT too, binds next to. The OS never hands the port to a bind to port 0 or an
    /// outgoing connection while it is bound, and with no listener a connection is refused. Linux and other Unix systems only; elsewhere the port is simply
    /// rebound (which another process could take in between).
    /// </summary>
    private sealed class PortReservation : IDisposable
    {
        private readonly Socket? _socket;

        private PortReservation(Socket? socket, int port)
        {
            _socket = socket;
            Port = port;
        }

        public int Port { get; }

        /// <exception cref="IOException">The port cannot be bound.</exception>
        public static PortReservation Take(int port)
        {
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
            {
                return new PortReservation(null, port == 0 ? FreePort() : port);
            }

            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                ReusePort(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return new PortReservation(socket, ((IPEndPoint)socket.LocalEndPoint!).Port);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new IOException($"cannot bind 127.0.0.1:{port}: {e.Message}", e);
            }
        }

        public Socket CreateListenSocket(EndPoint endpoint)
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (_socket is not null)
                {
                    ReusePort(socket);
                }

                socket.Bind(endpoint);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        public void Dispose() => _socket?.Dispose();

        private static int FreePort()
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        private static void ReusePort(Socket socket)
        {
            // SOL_SOCKET / SO_REUSEPORT: 1 / 15 on Linux, 0xffff / 0x0200 on macOS and FreeBSD.
            var (level, name) = OperatingSystem.IsLinux() ? (1, 15) : (0xffff, 0x0200);
            socket.SetRawSocketOption(level, name, BitConverter.GetBytes(1));
        }
    }
}
