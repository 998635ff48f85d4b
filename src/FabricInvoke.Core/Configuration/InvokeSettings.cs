using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core.Configuration;

/// <summary>A client certificate and key presented for mutual TLS.</summary>
public sealed record ClientCertificateFiles(string CertFile, string KeyFile);

/// <summary>How to reach one node: address, the TLS root it must chain to, and the host name to check.</summary>
/// <param name="Address">host:port.</param>
/// <param name="TlsRootCertFile">PEM of the CA(s) the server certificate must chain to; null when TLS is off.</param>
/// <param name="ServerNameOverride">host name to verify instead of the address host (CORE_PEER_TLS_SERVERHOSTOVERRIDE / --ordererTLSHostnameOverride).</param>
public sealed record NodeEndpoint(Endpoint Address, string? TlsRootCertFile, string? ServerNameOverride)
{
    public bool UseTls => TlsRootCertFile is not null;
}

/// <summary>Transport settings shared by every connection of one invocation.</summary>
/// <param name="ConnectTimeout">Bound on establishing each connection, TLS handshake included.</param>
/// <param name="ClientCertificate">Presented to peers/orderer when mutual TLS is configured.</param>
public sealed record TransportSettings(TimeSpan ConnectTimeout, ClientCertificateFiles? ClientCertificate);

/// <summary>Everything one <c>chaincode invoke</c> needs, validated and immutable.</summary>
public sealed record InvokeSettings
{
    public required ChaincodeInvocation Invocation { get; init; }

    public required string MspId { get; init; }

    public required string MspConfigPath { get; init; }

    public required IReadOnlyList<NodeEndpoint> Peers { get; init; }

    public required IReadOnlyList<NodeEndpoint> Orderers { get; init; }

    public required TransportSettings PeerTransport { get; init; }

    public required TransportSettings OrdererTransport { get; init; }

    /// <summary>Put SHA-256 of the peer client certificate into deliver requests (CORE_PEER_TLS_CLIENTAUTHREQUIRED).</summary>
    public bool BindTlsCertHash { get; init; }

    public bool WaitForEvent { get; init; }

    /// <summary>One deadline for connecting the deliver streams and waiting for the commit.</summary>
    public TimeSpan WaitForEventTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline for each endorsement and each broadcast call.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
