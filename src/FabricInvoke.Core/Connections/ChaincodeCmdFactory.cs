using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Identity;
using Grpc.Core;

namespace FabricInvoke.Core.Connections;

/// <summary>One peer: its connection and the clients that share it.</summary>
internal sealed class PeerNode
{
    internal PeerNode(NodeConnection connection)
    {
        Connection = connection;
        Calls = new DirectCallInvoker(connection.Channel.CreateCallInvoker(), connection.StartupShortcuts);
    }

    /// <summary>The address as the user wrote it.</summary>
    public string Address => Connection.Address;

    /// <summary>The peer's MSP id when known before it answers (from a connection profile); null otherwise.</summary>
    public string? MspId => Connection.Endpoint.MspId;

    internal NodeConnection Connection { get; }

    /// <summary>The peer's Endorser and Deliver calls (<see cref="FabricCalls"/>).</summary>
    internal DirectCallInvoker Calls { get; }

    /// <summary>The address as the user wrote it.</summary>
    public override string ToString() => Address;
}

/// <summary>One orderer connection with its broadcast client.</summary>
internal sealed class OrdererNode
{
    internal OrdererNode(NodeConnection connection)
    {
        Connection = connection;
        Calls = new DirectCallInvoker(connection.Channel.CreateCallInvoker(), connection.StartupShortcuts);
    }

    /// <summary>The address as the user wrote it.</summary>
    public string Address => Connection.Address;

    internal NodeConnection Connection { get; }

    /// <summary>The orderer's Broadcast call (<see cref="FabricCalls"/>).</summary>
    internal DirectCallInvoker Calls { get; }

    /// <summary>The address as the user wrote it.</summary>
    public override string ToString() => Address;
}

/// <summary>
/// What a command talks to and signs with (the Go CLI's ChaincodeCmdFactory): the signer, one connection per peer
/// (shared by its endorser and deliver clients) and the orderers in the order given. Built from connection settings
/// alone, so an invoke, a query and an event stream all use it the same way. Connections open on first use.
/// </summary>
internal sealed class ChaincodeCmdFactory : IDisposable
{
    private readonly ConnectionSettings _settings;
    private readonly IProgressObserver _observer;
    private readonly TlsMaterial _tls;
    private readonly Lock _orderersGate = new();
    private IReadOnlyList<OrdererNode> _orderers;

    private ChaincodeCmdFactory(
        ConnectionSettings settings, SigningIdentity signer, TlsMaterial tls, IReadOnlyList<PeerNode> peers, IReadOnlyList<PeerNode> deliverPeers, IReadOnlyList<OrdererNode> orderers, IProgressObserver observer, TimeProvider time)
    {
        DeliverPeers = deliverPeers;
        _settings = settings;
        _observer = observer;
        _tls = tls;
        _orderers = orderers;
        var bindTlsCertHash = settings.BindTlsCertHash;
        Signer = signer;
        BindTlsCertHash = bindTlsCertHash;
        Peers = peers;
        Time = time;
    }

    /// <summary>The identity that signs every proposal, transaction and deliver request made through these connections.</summary>
    public SigningIdentity Signer { get; }

    /// <summary>The peers in the order given.</summary>
    public IReadOnlyList<PeerNode> Peers { get; }

    /// <summary>The peers an invoke waits on for the commit (<see cref="ConnectionSettings.DeliverPeers"/>, else <see cref="Peers"/>); one connection per peer either way.</summary>
    public IReadOnlyList<PeerNode> DeliverPeers { get; }

    /// <summary>The orderers in the order given (or found); empty when the command orders nothing.</summary>
    public IReadOnlyList<OrdererNode> Orderers => _orderers;

    /// <summary>
    /// How the channel orders, once read from its configuration (orderer discovery); null when the orderers were given
    /// (-o, a connection profile): then they are tried in the order given.
    /// </summary>
    public Ordering.ChannelOrdering? Ordering { get; private set; }

    /// <summary>True when no orderer was given but the channel configuration may name them.</summary>
    public bool CanDiscoverOrderers => _orderers.Count == 0 && _settings.DiscoveredOrderers is not null;

    /// <summary>Deliver requests carry the client certificate hash (mutual TLS with peers).</summary>
    public bool BindTlsCertHash { get; }

    /// <summary>The clock for deadlines, timestamps and timings.</summary>
    public TimeProvider Time { get; }

    /// <summary>Reads every TLS file and creates the (lazily connecting) channels; warns about private keys others can read.</summary>
    /// <exception cref="Errors.FabricInvokeException">Config: a TLS file cannot be used.</exception>
    public static ChaincodeCmdFactory Create(ConnectionSettings settings, SigningIdentity signer, IProgressObserver? observer = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(signer);
        observer ??= IProgressObserver.None;
        time ??= TimeProvider.System;
        WarnAboutKeyFiles(settings, signer, observer);

        var tls = new TlsMaterial();
        var created = new List<NodeConnection>();
        try
        {
            // A peer that both endorses and reports commits is one connection; all of them share the TLS files.
            var nodes = new Dictionary<NodeEndpoint, PeerNode>();
            PeerNode Peer(NodeEndpoint p) =>
                nodes.TryGetValue(p, out var node) ? node : nodes[p] = new PeerNode(Track(NodeConnection.Create("peer", p, settings.PeerTransport, observer, time, tls)));
            var peers = settings.Peers.Select(Peer).ToList();
            var deliverPeers = settings.DeliverPeers is { } d ? d.Select(Peer).ToList() : peers;
            var ordererTransport = settings.OrdererTransport ?? settings.PeerTransport;
            var orderers = settings.Orderers.Select(o => new OrdererNode(Track(NodeConnection.Create("orderer", o, ordererTransport, observer, time, tls)))).ToList();
            return new ChaincodeCmdFactory(settings, signer, tls, peers, deliverPeers, orderers, observer, time);
        }
        catch
        {
            foreach (var c in created)
            {
                c.Dispose();
            }

            tls.Dispose();
            throw;
        }

        NodeConnection Track(NodeConnection c)
        {
            created.Add(c);
            return c;
        }
    }

    /// <summary>A factory over connections made already (a library client's, some over caller-owned channels); it owns them.</summary>
    internal static ChaincodeCmdFactory FromConnections(
        SigningIdentity signer, IReadOnlyList<NodeConnection> peers, IReadOnlyList<NodeConnection> orderers, bool bindTlsCertHash, TimeProvider time, TlsMaterial tls)
    {
        var peerNodes = peers.Select(p => new PeerNode(p)).ToList();
        var settings = new ConnectionSettings
        {
            Peers = peers.Select(p => p.Endpoint).ToList(),
            Orderers = orderers.Select(o => o.Endpoint).ToList(),
            PeerTransport = new TransportSettings(peers.Count > 0 ? peers[0].ConnectTimeout : TimeSpan.FromSeconds(10), null),
            BindTlsCertHash = bindTlsCertHash,
        };
        return new ChaincodeCmdFactory(settings, signer, tls, peerNodes, peerNodes, orderers.Select(o => new OrdererNode(o)).ToList(), IProgressObserver.None, time);
    }

    /// <summary>Private keys that others can read are worth a warning, not a failure: the peer CLI accepts them silently.</summary>
    private static void WarnAboutKeyFiles(ConnectionSettings settings, SigningIdentity signer, IProgressObserver observer)
    {
        var keyFiles = new[] { signer.KeyFile, settings.PeerTransport.ClientCertificate?.KeyFile, settings.OrdererTransport?.ClientCertificate?.KeyFile };
        foreach (var keyFile in keyFiles.Distinct(StringComparer.Ordinal))
        {
            if (KeyFileAccess.Warning(keyFile) is { } warning)
            {
                observer.Warning(warning);
            }
        }
    }

    /// <summary>
    /// Connects (lazily) to orderers found in the channel configuration, with the discovery TLS settings. Safe for
    /// concurrent invokes on one factory: the first discovery wins, a later one's connections are closed at once (no
    /// connection is swapped out from under a broadcast, none is left open).
    /// </summary>
    /// <exception cref="Errors.FabricInvokeException">Usage (an address is not host:port) or Config (the TLS root cannot be used).</exception>
    internal void UseDiscoveredOrderers(IReadOnlyList<string> addresses, Ordering.ChannelOrdering? ordering = null)
    {
        var tls = _settings.DiscoveredOrderers ?? throw new InvalidOperationException("orderer discovery is not configured");
        var transport = _settings.OrdererTransport ?? _settings.PeerTransport;
        var endpoints = addresses.Select(a => new NodeEndpoint(Endpoint.Parse(a, "orderer"), tls.TlsRootCertFile, tls.ServerNameOverride)).ToList();
        var created = new List<OrdererNode>();
        try
        {
            foreach (var endpoint in endpoints)
            {
                created.Add(new OrdererNode(NodeConnection.Create("orderer", endpoint, transport, _observer, Time, _tls)));
            }
        }
        catch
        {
            created.ForEach(o => o.Connection.Dispose());
            throw;
        }

        lock (_orderersGate)
        {
            if (_orderers.Count == 0)
            {
                _orderers = created;
                Ordering = ordering;
                return;
            }
        }

        created.ForEach(o => o.Connection.Dispose());
    }

    /// <summary>Closes every peer and orderer connection (discovered orderers included).</summary>
    public void Dispose()
    {
        foreach (var p in Peers.Concat(DeliverPeers).Distinct())
        {
            p.Connection.Dispose();
        }

        IReadOnlyList<OrdererNode> orderers;
        lock (_orderersGate)
        {
            orderers = _orderers;
        }

        foreach (var o in orderers)
        {
            o.Connection.Dispose();
        }

        _tls.Dispose();
    }
}
