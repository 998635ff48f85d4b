namespace FabricInvoke.DevNet;

/// <summary>How to run a <see cref="DevNetwork"/>: where its files live, its shape, and its orderer batching.</summary>
public sealed record DevNetOptions
{
    /// <summary>The shortest batch timeout DevNet accepts.</summary>
    public static readonly TimeSpan MinBatchTimeout = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest batch timeout DevNet accepts.</summary>
    public static readonly TimeSpan MaxBatchTimeout = TimeSpan.FromHours(1);

    /// <summary>The longest <see cref="LockWait"/> DevNet accepts.</summary>
    public static readonly TimeSpan MaxLockWait = TimeSpan.FromHours(1);

    /// <summary>
    /// Crypto material (<c>organizations/</c>) and ledgers (<c>ledger/</c>) go here; reused when present. One process
    /// at a time owns the folder (it holds <c>devnet.lock</c> for the network's whole life).
    /// </summary>
    public required string Directory { get; init; }

    /// <summary>Number of peer organisations (Org1MSP … OrgNMSP), all members of the channel.</summary>
    public int Orgs { get; init; } = 2;

    /// <summary>Peers per organisation (peer0 … peerN-1).</summary>
    public int PeersPerOrg { get; init; } = 1;

    /// <summary>
    /// The orderer cuts a block this long after the first pending transaction arrived
    /// (<see cref="MinBatchTimeout"/> … <see cref="MaxBatchTimeout"/>).
    /// </summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The orderer cuts a block as soon as this many transactions are pending (MaxMessageCount).</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>
    /// Number of orderers. One (the default): a single orderer, consensus type <c>etcdraft</c> in the channel
    /// configuration. More (at most <see cref="MaxOrderers"/>): a BFT-like ordering service — the channel
    /// configuration says consensus type <c>BFT</c>, lists every orderer as a consenter and in the orderer
    /// organisation's <c>Endpoints</c> (and, as Fabric 3 BFT channels, no global <c>OrdererAddresses</c>). Each orderer is
    /// its own TLS server with its own faults (it can be stopped, or forward slowly: <see cref="OrdererFaults.ForwardDelay"/>);
    /// they share one block cutter, which orders a transaction once however many orderers received it. Not a consensus
    /// implementation: no leader election, no Byzantine behaviour beyond the injected faults.
    /// </summary>
    public int Orderers { get; init; } = 1;

    /// <summary>The most orderers DevNet runs (<see cref="Orderers"/>).</summary>
    public const int MaxOrderers = 16;

    /// <summary>The one channel every peer has joined.</summary>
    public string ChannelId { get; init; } = "mychannel";

    /// <summary>
    /// Fixed ports: the orderer listens on this port and peer i (in org order) on BasePort + 1 + i.
    /// Null (the default, and what tests use): every node binds port 0 and the OS picks a free one.
    /// </summary>
    public int? BasePort { get; init; }

    /// <summary>Mutual TLS on peers and orderer; deliver then checks the seek envelope's <c>tls_cert_hash</c>.</summary>
    public bool RequireClientTls { get; init; }

    /// <summary>
    /// Every node fsyncs each block to disk before it delivers it (or hands it on), so an acknowledged block survives
    /// a machine crash, not only a process crash. Off by default: a flush to the operating system is enough for a
    /// killed process, and much faster.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>
    /// Other processes may use this network while it runs (what <c>devnet up</c> does): it writes
    /// <c>devnet.json</c> (addresses, TLS roots, identities; what <see cref="DevNetLease.OpenAsync"/> attaches to) and
    /// <c>devnet.env</c>, each atomically, and removes both when it stops.
    /// </summary>
    public bool Attachable { get; init; }

    /// <summary>
    /// How long to queue for the folder while another, non-attachable owner (a one-shot <c>--devnet</c> run, a test)
    /// holds it. Zero (the default): fail at once with <see cref="DevNetBusyException"/>. An attachable owner
    /// (<c>devnet up</c>) is never waited for by <see cref="DevNetwork.StartAsync"/>: it may run for days.
    /// </summary>
    public TimeSpan LockWait { get; init; }

    /// <summary>What this owner is, as other processes will name it ("fabinvoke devnet up").</summary>
    public string OwnerDescription { get; init; } = "a DevNet network";

    /// <summary>
    /// Orderer endpoints ("host:port") the channel configuration names before the real orderer — in the orderer
    /// organisation's <c>Endpoints</c> and the channel's <c>OrdererAddresses</c> — so a client that discovers the
    /// orderers from the configuration meets them first (an unreachable address exercises its failover).
    /// </summary>
    public IReadOnlyList<string> ExtraOrdererAddresses { get; init; } = [];

    /// <summary>
    /// Called with each event an operator should see as it happens (a node that cannot write its ledger, a torn
    /// record cut at start-up, …), from any thread. Exceptions it throws are ignored.
    /// </summary>
    public Action<DevNetDiagnostic>? Diagnostics { get; init; }

    /// <summary>
    /// A file the network appends its own time per transaction to (orderer received and answered it, block cut and how
    /// long after the batch timer started, each peer's validation, each peer deliver stream's send), so a benchmark can
    /// tell DevNet's time from the client's. Null (the default): nothing is recorded.
    /// </summary>
    public string? TimingsFile { get; init; }
}
