using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FabricInvoke.DevNet.Hosting;

/// <summary>
/// One node's gRPC server: its own Kestrel on 127.0.0.1 with an OS-chosen port, HTTP/2 over TLS only, optional
/// mandatory client certificates, no logging output.
/// </summary>
internal sealed class NodeHost : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    private NodeHost(WebApplication app, X509Certificate2 certificate, string address)
    {
        _app = app;
        _certificate = certificate;
        Address = address;
    }

    /// <summary>"127.0.0.1:&lt;port&gt;".</summary>
    public string Address { get; }

    /// <summary>Starts a server presenting <paramref name="certificate"/>; <paramref name="configure"/> registers services and maps them.</summary>
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
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "FabricInvoke.DevNet" });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    if (clientCertificateValidator is not null)
                    {
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (client, _, _) => clientCertificateValidator(client);
                    }
                });
            });
        });
        builder.Services.AddRouting();
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = 100 * 1024 * 1024);
        services(builder.Services);

        var app = builder.Build();
        app.UseRouting();
        map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var boundPort = new Uri(addresses.First()).Port;
        return new NodeHost(app, certificate, $"127.0.0.1:{boundPort}");
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(ShutdownTimeout))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that did not close in time are dropped by DisposeAsync below.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _certificate.Dispose();
    }
}
