using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Status = FabricInvoke.Protos.Common.Status;
using PeerDeliverResponse = FabricInvoke.Protos.Peer.DeliverResponse;

namespace FabricInvoke.DevNet.Tests.Infrastructure;

/// <summary>
/// A minimal Fabric client over real TLS gRPC for DevNet tests: signs with an MSP folder (Core's SigningIdentity),
/// builds requests with Core's builders, and exposes each RPC on its own so tests can tamper between steps.
/// </summary>
public sealed class Client : IDisposable
{
    private readonly DevNetwork _network;
    private readonly Dictionary<string, GrpcChannel> _channels = [];
    private readonly X509Certificate2? _clientCertificate;

    internal Client(DevNetwork network, DevIdentity identity, bool presentClientCertificate)
    {
        _network = network;
        Identity = identity;
        Signer = MspFolder.Load(identity.MspDirectory, identity.MspId);
        if (presentClientCertificate)
        {
            using var pem = X509Certificate2.CreateFromPemFile(identity.TlsCertFile, identity.TlsKeyFile);
            _clientCertificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
    }

    public DevIdentity Identity { get; }

    internal SigningIdentity Signer { get; }

    /// <summary>SHA-256 of this client's TLS certificate DER (what the CLI puts in tls_cert_hash under mutual TLS).</summary>
    public byte[] TlsCertHash => SHA256.HashData(X509Certificate2.CreateFromPem(File.ReadAllText(Identity.TlsCertFile)).RawData);

    /// <summary>A proposal for chaincode basic on <paramref name="channelId"/> (default: the network's channel).</summary>
    internal UnsignedProposal Propose(string[] args, string? channelId = null, string chaincode = "basic") =>
        ProposalBuilder.Create(
            new ChaincodeInvocation(channelId ?? _network.ChannelId, chaincode, args.Select(Encoding.UTF8.GetBytes).ToArray(), [], false),
            Signer.Creator,
            TxIds.NewNonce(),
            Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow));

    /// <summary>A CONFIG-typed proposal for a system chaincode on <paramref name="channelId"/> (default: none), as the peer CLI asks cscc.</summary>
    internal UnsignedProposal ProposeSystem(string[] args, string channelId = "", string chaincode = "cscc") =>
        ProposalBuilder.Create(
            new ChaincodeInvocation(channelId, chaincode, args.Select(Encoding.UTF8.GetBytes).ToArray(), [], false),
            Signer.Creator,
            TxIds.NewNonce(),
            Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            FabricInvoke.Protos.Common.HeaderType.Config);

    public Task<ProposalResponse> EndorseAsync(DevPeer peer, SignedProposal proposal) =>
        new Endorser.EndorserClient(Channel(peer.Address, peer.TlsRootCertFile)).ProcessProposalAsync(proposal, deadline: Deadline()).ResponseAsync.WaitAsync(DevNetFixture.Bound);

    /// <summary>The Gateway service of <paramref name="peer"/>.</summary>
    public FabricInvoke.Protos.Gateway.Gateway.GatewayClient Gateway(DevPeer peer) => new(Channel(peer.Address, peer.TlsRootCertFile));

    /// <summary>Endorses <paramref name="proposal"/> on <paramref name="peers"/> (default all) and returns the responses in peer order.</summary>
    internal async Task<ProposalResponse[]> EndorseAllAsync(UnsignedProposal proposal, IEnumerable<DevPeer>? peers = null)
    {
        var signed = proposal.Sign(Signer);
        return await Task.WhenAll((peers ?? _network.Peers).Select(p => EndorseAsync(p, signed)));
    }

    internal Envelope Transaction(UnsignedProposal proposal, IReadOnlyList<ProposalResponse> responses) =>
        TransactionBuilder.CreateSignedEnvelope(proposal, responses, Signer);

    /// <summary>Sends each envelope on one Broadcast stream and returns the answers in order.</summary>
    public async Task<BroadcastResponse[]> BroadcastAsync(params Envelope[] envelopes)
    {
        var client = new AtomicBroadcast.AtomicBroadcastClient(Channel(_network.Orderer.Address, _network.Orderer.TlsRootCertFile));
        using var call = client.Broadcast(deadline: Deadline());
        var answers = new List<BroadcastResponse>();
        foreach (var envelope in envelopes)
        {
            await call.RequestStream.WriteAsync(envelope).WaitAsync(DevNetFixture.Bound);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(DevNetFixture.Bound), "broadcast stream ended early");
            answers.Add(call.ResponseStream.Current);
        }

        await call.RequestStream.CompleteAsync().WaitAsync(DevNetFixture.Bound);
        return answers.ToArray();
    }

    /// <summary>The CLI's seek (Newest → MaxUint64, BLOCK_UNTIL_READY), signed by this client, with the TLS hash when given.</summary>
    public Envelope Seek(string? channelId = null, byte[]? tlsCertHash = null, DateTimeOffset? now = null) =>
        SeekEnvelopeBuilder.CreateSignedEnvelope(channelId ?? _network.ChannelId, Signer, now ?? DateTimeOffset.UtcNow, tlsCertHash ?? []);

    /// <summary>Opens DeliverFiltered (or Deliver) on <paramref name="peer"/> and sends <paramref name="seek"/> (default: CLI form).</summary>
    public async Task<DeliverSession> DeliverAsync(DevPeer peer, Envelope? seek = null, bool filtered = true)
    {
        var client = new Deliver.DeliverClient(Channel(peer.Address, peer.TlsRootCertFile));
        var call = filtered ? client.DeliverFiltered(deadline: Deadline()) : client.Deliver(deadline: Deadline());
        await call.RequestStream.WriteAsync(seek ?? Seek(tlsCertHash: _clientCertificate is null ? null : TlsCertHash)).WaitAsync(DevNetFixture.Bound);
        await call.RequestStream.CompleteAsync().WaitAsync(DevNetFixture.Bound);
        return new DeliverSession(call);
    }

    /// <summary>
    /// The whole invoke as the CLI does it, but race-free: deliver streams on <paramref name="waitOn"/> (default all
    /// peers) live first, endorse on <paramref name="endorsers"/> (default all), broadcast, then each peer's verdict.
    /// </summary>
    public async Task<InvokeOutcome> InvokeAsync(string[] args, IEnumerable<DevPeer>? endorsers = null, IEnumerable<DevPeer>? waitOn = null)
    {
        var peers = (waitOn ?? _network.Peers).ToList();
        var sessions = await Task.WhenAll(peers.Select(async p =>
        {
            var session = await DeliverAsync(p);
            await session.NextAsync();
            return session;
        }));
        try
        {
            var proposal = Propose(args);
            var responses = await EndorseAllAsync(proposal, endorsers);
            var broadcast = await BroadcastAsync(Transaction(proposal, responses));
            Assert.Equal(Status.Success, broadcast[0].Status);
            var verdicts = await Task.WhenAll(sessions.Select(s => s.WaitForTxAsync(proposal.TxId)));
            return new InvokeOutcome(proposal.TxId, responses, verdicts);
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _clientCertificate?.Dispose();
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);

    private GrpcChannel Channel(string address, string caFile)
    {
        lock (_channels)
        {
            if (_channels.TryGetValue(address, out var existing))
            {
                return existing;
            }

            var root = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
            var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    {
                        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                        {
                            return false;
                        }

                        using var chain = new X509Chain();
                        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.Add(root);
                        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                        return chain.Build(new X509Certificate2(certificate));
                    },
                },
            };
            if (_clientCertificate is not null)
            {
                handler.SslOptions.ClientCertificates = [_clientCertificate];
            }

            var channel = GrpcChannel.ForAddress("https://" + address, new GrpcChannelOptions { HttpHandler = handler });
            _channels[address] = channel;
            return channel;
        }
    }
}

/// <summary>What one invoke produced: txid, endorsements and each peer's filtered transaction.</summary>
public sealed record InvokeOutcome(string TxId, ProposalResponse[] Responses, FilteredTransaction[] Verdicts);

/// <summary>One open deliver stream.</summary>
public sealed class DeliverSession(AsyncDuplexStreamingCall<Envelope, PeerDeliverResponse> call) : IDisposable
{
    /// <summary>The next response, or null when the server ended the stream.</summary>
    public async Task<PeerDeliverResponse?> NextAsync() =>
        await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(DevNetFixture.Bound) ? call.ResponseStream.Current : null;

    private readonly Dictionary<string, FilteredTransaction> _seen = [];

    /// <summary>Reads filtered blocks until one holds <paramref name="txId"/> (remembering transactions already read).</summary>
    public async Task<FilteredTransaction> WaitForTxAsync(string txId)
    {
        if (_seen.TryGetValue(txId, out var known))
        {
            return known;
        }

        while (await NextAsync() is { } response)
        {
            Assert.Equal(PeerDeliverResponse.TypeOneofCase.FilteredBlock, response.TypeCase);
            foreach (var tx in response.FilteredBlock.FilteredTransactions)
            {
                _seen[tx.Txid] = tx;
            }

            if (_seen.TryGetValue(txId, out var found))
            {
                return found;
            }
        }

        throw new InvalidOperationException($"deliver stream ended before {txId}");
    }

    public void Dispose() => call.Dispose();
}
