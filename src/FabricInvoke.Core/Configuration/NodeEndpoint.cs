namespace FabricInvoke.Core.Configuration;

/// <summary>A client certificate and key presented for mutual TLS.</summary>
internal sealed record ClientCertificateFiles(string CertFile, string KeyFile);

/// <summary>How to reach one node: address, the TLS root it must chain to, and the host name to check.</summary>
/// <param name="Address">host:port.</param>
/// <param name="TlsRootCertFile">PEM of the CA(s) the server certificate must chain to; null when TLS is off.</param>
/// <param name="ServerNameOverride">host name to verify instead of the address host (CORE_PEER_TLS_SERVERHOSTOVERRIDE / --ordererTLSHostnameOverride).</param>
internal sealed record NodeEndpoint(Endpoint Address, string? TlsRootCertFile, string? ServerNameOverride)
{
    /// <summary>True when the node is reached over TLS (a TLS root is given); false: plaintext.</summary>
    public bool UseTls => TlsRootCertFile is not null;

    /// <summary>
    /// The TLS root's PEM when it is already read (a connection profile's, inline or from its file); null: read
    /// <see cref="TlsRootCertFile"/>, which otherwise only names the root in messages.
    /// </summary>
    public string? TlsRootPem { get; init; }

    /// <summary>The node's MSP id when known before it answers (a connection profile's organisations); null otherwise.</summary>
    public string? MspId { get; init; }
}

/// <summary>Transport settings shared by every connection to one kind of node (peers, or orderers).</summary>
/// <param name="ConnectTimeout">Bound on establishing each connection, TLS handshake and retries included.</param>
/// <param name="ClientCertificate">Presented when mutual TLS is configured.</param>
internal sealed record TransportSettings(TimeSpan ConnectTimeout, ClientCertificateFiles? ClientCertificate)
{
    /// <summary>
    /// The one switch for start-up tricks that only pay in a process living a fraction of a second, and that reach into
    /// a dependency's internals: off by default (a library user gets plain grpc-dotnet), on for the fabinvoke CLI.
    /// Today one trick: calling grpc-dotnet's sealed call invoker directly by name (<c>DirectCallInvoker</c>), which
    /// spares native AOT resolving generic virtual calls at run time. (The CLI's other trick, keeping OpenSSL's system
    /// trust store out of chain building, changes the process environment; the CLI does that itself.)
    /// </summary>
    public bool StartupShortcuts { get; init; }
}

/// <summary>
/// What a command talks to, independent of what it does: the peers (in the order given; the first is the one a
/// query or event stream uses) and the orderers (tried in order; none for commands that do not order).
/// </summary>
internal sealed record ConnectionSettings
{
    /// <summary>The peers, in the order given: they endorse (an invoke) and the first one answers a query or streams events.</summary>
    public required IReadOnlyList<NodeEndpoint> Peers { get; init; }

    /// <summary>
    /// The peers an invoke waits on for the commit, when they are not <see cref="Peers"/> (a connection profile's
    /// eventSource peers, while <see cref="Peers"/> are its endorsing peers); null: the same as <see cref="Peers"/>.
    /// </summary>
    public IReadOnlyList<NodeEndpoint>? DeliverPeers { get; init; }

    /// <summary>The orderers, tried in this order; empty when the command does not order or they are discovered (<see cref="DiscoveredOrderers"/>).</summary>
    public IReadOnlyList<NodeEndpoint> Orderers { get; init; } = [];

    /// <summary>Connect timeout and client certificate for every peer connection.</summary>
    public required TransportSettings PeerTransport { get; init; }

    /// <summary>Connect timeout and client certificate for every orderer connection; null: the same as <see cref="PeerTransport"/>.</summary>
    public TransportSettings? OrdererTransport { get; init; }

    /// <summary>Put SHA-256 of the peer client certificate into deliver requests (CORE_PEER_TLS_CLIENTAUTHREQUIRED).</summary>
    public bool BindTlsCertHash { get; init; }

    /// <summary>
    /// How to reach orderers found in the channel configuration when <see cref="Orderers"/> is empty: their TLS root
    /// (--cafile; null for plaintext) and host name override. Null: no discovery.
    /// </summary>
    public DiscoveredOrderers? DiscoveredOrderers { get; init; }
}

/// <summary>TLS settings for orderers whose addresses come from the channel configuration.</summary>
internal sealed record DiscoveredOrderers(string? TlsRootCertFile, string? ServerNameOverride);
