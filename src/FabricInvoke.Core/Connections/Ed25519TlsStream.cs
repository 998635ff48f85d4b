using System.Net;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// TLS (1.2 and 1.3, ALPN "h2") over a connected socket stream, done by BouncyCastle instead of SslStream, for one case
/// only: a mutual-TLS client certificate with an Ed25519 key. It exists because .NET 10 cannot present one — an
/// X509Certificate2 cannot hold an Ed25519 private key (CopyWithPrivateKey, the PEM and PKCS#12 imports know RSA,
/// ECDSA and DSA only) and SslStream signs with nothing else — while Fabric 3's cryptogen issues Ed25519 TLS client
/// certificates to an Ed25519 org. NodeConnection hands this stream to SocketsHttpHandler from its ConnectCallback and
/// gRPC speaks HTTP/2 over it as over plain TCP (h2c). Every other connection keeps SslStream.
/// The server's certificate is judged by <see cref="ServerCertificateCheck.Verify"/>, exactly as SslStream's are.
/// BouncyCastle runs in its non-blocking mode: bytes move with async socket I/O; its state is guarded by one lock,
/// socket writes by a semaphore, so HTTP/2's read loop and its writers never wait for each other.
/// </summary>
internal sealed class Ed25519TlsStream : Stream
{
    private const int ReadChunk = 16 * 1024 + 512; // one TLS record with its overhead

    private readonly Stream _inner;
    private readonly TlsClientProtocol _protocol;
    private readonly Lock _state = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly byte[] _readBuffer = new byte[ReadChunk];
    private int _disposed;

    private Ed25519TlsStream(Stream inner, TlsClientProtocol protocol)
    {
        _inner = inner;
        _protocol = protocol;
    }

    /// <summary>
    /// Performs the handshake over <paramref name="inner"/> (a connected TCP stream, owned from now on) and returns the
    /// stream of application data.
    /// </summary>
    /// <param name="targetHost">The name the server certificate must carry (and the SNI, unless it is an IP address).</param>
    /// <param name="credential">The Ed25519 client certificate (<see cref="ClientCredential.Ed25519Key"/> set).</param>
    /// <param name="acceptServer">
    /// Judges the server's certificate (null when it sent none) and the others it sent; false refuses the handshake
    /// (the caller notes why).
    /// </param>
    /// <exception cref="AuthenticationException">The server's certificate was refused, or the handshake failed.</exception>
    /// <exception cref="IOException">The server closed the connection during the handshake.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async ValueTask<Stream> ConnectAsync(
        Stream inner, string targetHost, ClientCredential credential, Func<X509Certificate2?, X509Certificate2Collection, bool> acceptServer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(credential);
        var key = credential.Ed25519Key ?? throw new ArgumentException("not an Ed25519 credential", nameof(credential));
        var protocol = new TlsClientProtocol();
        var stream = new Ed25519TlsStream(inner, protocol);
        try
        {
            var client = new Client(new BcTlsCrypto(new SecureRandom()), targetHost, credential.Chain, key, acceptServer);
            try
            {
                protocol.Connect(client);
                await stream.SendOutputAsync(cancellationToken).ConfigureAwait(false);
                while (protocol.IsHandshaking)
                {
                    var n = await inner.ReadAsync(stream._readBuffer, cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new IOException("the server closed the connection during the TLS handshake");
                    }

                    protocol.OfferInput(stream._readBuffer, 0, n);
                    await stream.SendOutputAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (TlsFatalAlertReceived e)
            {
                throw new AuthenticationException($"the server ended the handshake with TLS alert {AlertDescription.GetText(e.AlertDescription)}", e);
            }
            catch (TlsFatalAlert e) when (e.AlertDescription == AlertDescription.bad_certificate && client.RefusedServer)
            {
                // The caller knows why (its acceptServer noted it); the message is only a fallback.
                throw new AuthenticationException("the server certificate was refused", e);
            }
            catch (TlsFatalAlert e)
            {
                throw new AuthenticationException($"TLS alert {AlertDescription.GetText(e.AlertDescription)}{(e.Message is { Length: > 0 } m ? $" ({m})" : "")}", e);
            }

            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            lock (_state)
            {
                var available = _protocol.GetAvailableInputBytes();
                if (available > 0)
                {
                    var take = Math.Min(available, buffer.Length);
                    if (MemoryMarshal.TryGetArray<byte>(buffer, out var array))
                    {
                        return _protocol.ReadInput(array.Array!, array.Offset, take);
                    }

                    var chunk = new byte[take];
                    _protocol.ReadInput(chunk, 0, take);
                    chunk.CopyTo(buffer);
                    return take;
                }

                if (_protocol.IsClosed)
                {
                    return 0;
                }
            }

            var n = await _inner.ReadAsync(_readBuffer, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return 0;
            }

            lock (_state)
            {
                _protocol.OfferInput(_readBuffer, 0, n);
            }

            // A record may need an answer (a key update, an alert).
            await SendOutputAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            byte[] records;
            lock (_state)
            {
                _protocol.WriteApplicationData(buffer.Span);
                records = TakeOutput();
            }

            await _inner.WriteAsync(records, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                // close_notify, best effort: the connection ends either way.
                lock (_state)
                {
                    _protocol.Close();
                }

                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await SendOutputAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // The peer is gone or the protocol failed already.
            }

            await _inner.DisposeAsync().ConfigureAwait(false);
            _writeGate.Dispose();
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _inner.Dispose();
            _writeGate.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Sends whatever records the protocol has produced, in order with application writes.</summary>
    private async ValueTask SendOutputAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            byte[] records;
            lock (_state)
            {
                records = TakeOutput();
            }

            if (records.Length > 0)
            {
                await _inner.WriteAsync(records, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The records waiting to be sent; call under <see cref="_state"/>.</summary>
    private byte[] TakeOutput()
    {
        var available = _protocol.GetAvailableOutputBytes();
        if (available == 0)
        {
            return [];
        }

        var records = new byte[available];
        _protocol.ReadOutput(records, 0, available);
        return records;
    }

    /// <summary>BouncyCastle's client: TLS 1.2 and 1.3 (its default), ALPN h2, SNI, the Ed25519 client certificate.</summary>
    private sealed class Client : DefaultTlsClient
    {
        private readonly string _targetHost;
        private readonly X509Certificate2Collection _chain;
        private readonly Ed25519PrivateKeyParameters _key;
        private readonly Func<X509Certificate2?, X509Certificate2Collection, bool> _acceptServer;

        public Client(
            BcTlsCrypto crypto, string targetHost, X509Certificate2Collection chain, Ed25519PrivateKeyParameters key,
            Func<X509Certificate2?, X509Certificate2Collection, bool> acceptServer)
            : base(crypto)
        {
            _targetHost = targetHost;
            _chain = chain;
            _key = key;
            _acceptServer = acceptServer;
        }

        /// <summary>True once the server's certificate was refused.</summary>
        public bool RefusedServer { get; private set; }

        protected override IList<ProtocolName> GetProtocolNames() => [ProtocolName.Http_2_Tls];

        // As SslStream: the host name, never an IP address.
        protected override IList<ServerName>? GetSniServerNames() =>
            IPAddress.TryParse(_targetHost, out _) ? null : [new ServerName(NameType.host_name, Encoding.ASCII.GetBytes(_targetHost))];

        // SslStream asks for no OCSP staple either.
        protected override CertificateStatusRequest? GetCertificateStatusRequest() => null;

        public override TlsAuthentication GetAuthentication() => new Authentication(this);

        private sealed class Authentication(Client client) : TlsAuthentication
        {
            public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
            {
                var sent = serverCertificate.Certificate;
                using var leaf = sent.IsEmpty ? null : X509CertificateLoader.LoadCertificate(sent.GetCertificateAt(0).GetEncoded());
                var others = new X509Certificate2Collection();
                try
                {
                    for (var i = 1; i < sent.Length; i++)
                    {
                        others.Add(X509CertificateLoader.LoadCertificate(sent.GetCertificateAt(i).GetEncoded()));
                    }

                    if (!client._acceptServer(leaf, others))
                    {
                        client.RefusedServer = true;
                        throw new TlsFatalAlert(AlertDescription.bad_certificate);
                    }
                }
                finally
                {
                    foreach (var other in others)
                    {
                        other.Dispose();
                    }
                }
            }

            public TlsCredentials GetClientCredentials(Org.BouncyCastle.Tls.CertificateRequest certificateRequest)
            {
                var context = client.m_context;
                var tlsCertificates = client._chain.Select(c => client.Crypto.CreateCertificate(c.RawData)).ToArray();
                var certificate = TlsUtilities.IsTlsV13(context)
                    ? new Certificate(certificateRequest.GetCertificateRequestContext(), [.. tlsCertificates.Select(c => new CertificateEntry(c, null))])
                    : new Certificate(tlsCertificates);
                return new BcDefaultTlsCredentialedSigner(
                    new TlsCryptoParameters(context), (BcTlsCrypto)client.Crypto, client._key, certificate, SignatureAndHashAlgorithm.ed25519);
            }
        }
    }
}
