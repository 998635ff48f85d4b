using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// Issue 25 gap 1: under mutual TLS without a client certificate, a call's failure names the missing certificate
/// even when another call on the same connection has started a new connection attempt meanwhile (doctor probes
/// Endorser and Deliver at once; the invoke opens its endorsement and deliver streams at once). What a handshake
/// learned about the node is not forgotten when the next attempt starts; a failure that a missing certificate cannot
/// cause (TCP refused, host not found, unreachable, a timeout) is never put down to one.
/// </summary>
public sealed class ClientCertificateRefusalTests : IAsyncDisposable
{
    private static readonly string[] ClientCertificateWording =
        ["the peer asked for a TLS client certificate", "the peer closed the TLS session during the handshake"];

    private readonly string _dir = Directory.CreateTempSubdirectory("fabinvoke-mtls-note-").FullName;
    private readonly MutualTlsNode _node;
    private readonly TlsMaterial _material = new();
    private readonly NodeConnection _connection;

    public ClientCertificateRefusalTests()
    {
        _node = new MutualTlsNode(_dir);
        _connection = NodeConnection.Create(
            "peer",
            new NodeEndpoint(Endpoint.Parse(_node.Address, "peer"), _node.RootFile, null),
            new TransportSettings(TimeSpan.FromSeconds(30), null),
            IProgressObserver.None,
            TimeProvider.System,
            _material);
    }

    public async ValueTask DisposeAsync()
    {
        _connection.Dispose();
        _material.Dispose();
        await _node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<ProposalResponse> Call(CancellationToken cancellationToken = default) =>
        _connection.Channel.CreateCallInvoker()
            .AsyncUnaryCall(FabricCalls.ProcessProposal, null, new CallOptions(cancellationToken: cancellationToken), new SignedProposal())
            .ResponseAsync;

    [Fact]
    public async Task A_refusal_is_still_put_down_to_the_missing_client_certificate_after_another_call_started_a_new_attempt()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => Call());
        Assert.True(RpcFailure.NeedsClientCertificate(refused, _connection), RpcFailure.Describe(refused, _connection));

        // A second call on the same channel starts a new connection attempt, now in its TLS handshake (the node holds it).
        using var stop = new CancellationTokenSource();
        var second = Call(stop.Token);
        await _node.HeldConnection.WaitAsync(TimeSpan.FromSeconds(60));

        // The first call's failure, read now, as doctor's probe and the invoke's stages read it.
        Assert.True(RpcFailure.NeedsClientCertificate(refused, _connection), RpcFailure.Describe(refused, _connection));
        var line = RpcFailure.Describe(refused, _connection);
        Assert.True(ClientCertificateWording.Any(w => line.StartsWith(w, StringComparison.Ordinal)), line);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => second);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "connection refused")]
    [InlineData(SocketError.HostNotFound, "host not found")]
    [InlineData(SocketError.NetworkUnreachable, "network is unreachable")]
    [InlineData(SocketError.HostUnreachable, "no route to host")]
    [InlineData(SocketError.TimedOut, "connection timed out")]
    public async Task A_later_TCP_failure_of_a_node_that_asked_for_a_client_certificate_is_not_put_down_to_it(SocketError error, string said)
    {
        await Assert.ThrowsAsync<RpcException>(() => Call());
        var stopped = new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel.",
            new HttpRequestException(HttpRequestError.ConnectionError, "connect failed", new SocketException((int)error))));

        Assert.False(RpcFailure.NeedsClientCertificate(stopped, _connection));
        Assert.Equal(said, RpcFailure.Describe(stopped, _connection));
    }

    [Fact]
    public async Task A_later_connect_timeout_of_a_node_that_asked_for_a_client_certificate_is_not_put_down_to_it()
    {
        await Assert.ThrowsAsync<RpcException>(() => Call());
        var timedOut = new RpcException(new Status(StatusCode.Unavailable, RpcFailure.ConnectTimedOut,
            new TaskCanceledException("canceled", new TimeoutException(RpcFailure.ConnectTimedOut))));

        Assert.False(RpcFailure.NeedsClientCertificate(timedOut, _connection));
        Assert.Equal(RpcFailure.ConnectTimedOut, RpcFailure.Describe(timedOut, _connection));
    }

    /// <summary>
    /// A loopback TLS node that requires a client certificate: it refuses the first connection's handshake for want of
    /// one (as a Fabric node under mutual TLS does), then accepts later connections and holds them without a byte.
    /// </summary>
    private sealed class MutualTlsNode : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly X509Certificate2 _server;
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<TcpClient> _clients = [];
        private readonly Task _loop;

        public MutualTlsNode(string dir)
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest("CN=tlsca.org1.example.com, O=org1.example.com", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
            using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            RootFile = Path.Combine(dir, "tlsca.pem");
            File.WriteAllText(RootFile, ca.ExportCertificatePem());

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=peer0.org1.example.com", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            using var signed = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey),
                DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), RandomNumberGenerator.GetBytes(8));
            using var withKey = signed.CopyWithPrivateKey(key);
            _server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

            _listener.Start();
            Address = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
            _loop = ServeAsync();
        }

        public string Address { get; }

        public string RootFile { get; }

        /// <summary>Completes when a connection after the refused one was accepted (and is held in its handshake).</summary>
        public Task HeldConnection => _held.Task;

        private async Task ServeAsync()
        {
            try
            {
                using (var first = await _listener.AcceptTcpClientAsync(_stop.Token))
                {
                    var ssl = new SslStream(first.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate is not null);
                    await using (ssl)
                    {
                        try
                        {
                            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                            {
                                ServerCertificate = _server,
                                ClientCertificateRequired = true,
                                ApplicationProtocols = [SslApplicationProtocol.Http2],
                            }, _stop.Token);

                            // TLS 1.3: the client finished its side before the server judged its (empty) certificate.
                            _ = await ssl.ReadAsync(new byte[1], _stop.Token);
                        }
                        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                        {
                            // Refused for want of a client certificate.
                        }
                    }
                }

                while (true)
                {
                    var held = await _listener.AcceptTcpClientAsync(_stop.Token);
                    lock (_clients)
                    {
                        _clients.Add(held);
                    }

                    _held.TrySetResult();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            lock (_clients)
            {
                _clients.ForEach(c => c.Dispose());
            }

            _server.Dispose();
            _stop.Dispose();
        }
    }
}
