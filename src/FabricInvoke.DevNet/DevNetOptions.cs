namespace FabricInvoke.DevNet;

/// <summary>How to run a <see cref="DevNetwork"/>: where its files live, its shape, and its orderer batching.</summary>
public sealed record DevNetOptions
{
    /// <summary>Crypto material (<c>organizations/</c>) and ledgers (<c>ledger/</c>) go here; reused when present.</summary>
    public required string Directory { get; init; }

    /// <summary>Number of peer organisations (Org1MSP … OrgNMSP), all members of the channel.</summary>
    public int Orgs { get; init; } = 2;

    /// <summary>Peers per organisation (peer0 … peerN-1).</summary>
    public int PeersPerOrg { get; init; } = 1;

    /// <summary>The orderer cuts a block this long after the first pending transaction arrived.</summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The orderer cuts a block as soon as this many transactions are pending (MaxMessageCount).</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>The one channel every peer has joined.</summary>
    public string ChannelId { get; init; } = "mychannel";

    /// <summary>
    /// Fixed ports: the orderer listens on this port and peer i (in org order) on BasePort + 1 + i.
    /// Null (the default, and what tests use): every node binds port 0 and the OS picks a free one.
    /// </summary>
    public int? BasePort { get; init; }

    /// <summary>Mutual TLS on peers and orderer; deliver then checks the seek envelope's <c>tls_cert_hash</c>.</summary>
    public bool RequireClientTls { get; init; }
}
