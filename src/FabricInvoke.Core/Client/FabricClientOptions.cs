using FabricInvoke.Core.Configuration;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace FabricInvoke.Core;

/// <summary>Which way a client's transactions go.</summary>
public enum SubmitPath
{
    /// <summary>
    /// Directly: every peer given endorses, the transaction is broadcast to the orderers (in turn), and every peer's
    /// deliver stream reports the commit — what the peer CLI does.
    /// </summary>
    Direct,

    /// <summary>Through the first peer's Gateway service (Fabric 2.4 and later): Evaluate, Endorse, Submit, CommitStatus.</summary>
    Gateway,
}

/// <summary>
/// One peer or orderer: an address with its TLS settings (the client makes and owns the channel), or a
/// <see cref="GrpcChannel"/> the caller made and owns (never disposed by the client).
/// </summary>
public sealed class FabricEndpoint
{
    /// <summary>host:port, as named in messages (with a <see cref="Channel"/>: only named).</summary>
    public required string Address { get; init; }

    /// <summary>PEM of the CA certificate(s) the node's TLS certificate must chain to; null with no <see cref="TlsRootCertificateFile"/>: plaintext.</summary>
    public string? TlsRootCertificatesPem { get; init; }

    /// <summary>A file holding the TLS root certificate(s), read when the client is created (instead of <see cref="TlsRootCertificatesPem"/>).</summary>
    public string? TlsRootCertificateFile { get; init; }

    /// <summary>The host name the node's certificate must name, when not the address's host.</summary>
    public string? ServerNameOverride { get; init; }

    /// <summary>The node's MSP id, when known.</summary>
    public string? MspId { get; init; }

    /// <summary>A channel the caller created and owns (its handler decides TLS and timeouts); the TLS settings here are then unused.</summary>
    public GrpcChannel? Channel { get; init; }

    /// <summary>This endpoint as Core's node description.</summary>
    internal NodeEndpoint ToNodeEndpoint(string role)
    {
        var rootFile = TlsRootCertificateFile ?? (TlsRootCertificatesPem is null ? null : $"the TLS root certificates of {role} {Address}");
        return new NodeEndpoint(Endpoint.Parse(Address, role), rootFile, ServerNameOverride) { TlsRootPem = TlsRootCertificatesPem, MspId = MspId };
    }
}

/// <summary>Everything a <see cref="FabricClient"/> needs: who it is, how it signs, whom it talks to, and its deadlines.</summary>
public sealed record FabricClientOptions
{
    /// <summary>The client's identity (MSP id and certificate).</summary>
    public required ClientIdentity Identity { get; init; }

    /// <summary>
    /// Signs proposals, transactions and requests for <see cref="Identity"/>; null: proposals and transactions are
    /// signed offline (<see cref="Proposal.Digest"/>, <see cref="Proposal.WithSignature"/>), and waiting for a commit or
    /// reading events (which need signed requests) is not possible. Not disposed by the client.
    /// </summary>
    public ISigner? Signer { get; init; }

    /// <summary>The peers: all endorse on the direct path and all report commits; the first is the gateway, and the one queries and events use first.</summary>
    public required IReadOnlyList<FabricEndpoint> Peers { get; init; }

    /// <summary>The orderers, tried in turn (direct path only).</summary>
    public IReadOnlyList<FabricEndpoint> Orderers { get; init; } = [];

    /// <summary>Direct to peers and orderers (default), or through the first peer's Gateway.</summary>
    public SubmitPath Path { get; init; } = SubmitPath.Direct;

    /// <summary>
    /// PEM file of the TLS client certificate presented to nodes that require mutual TLS (self-made channels only);
    /// with <see cref="TlsClientKeyFile"/>.
    /// </summary>
    public string? TlsClientCertificateFile { get; init; }

    /// <summary>PEM file of the private key of <see cref="TlsClientCertificateFile"/>.</summary>
    public string? TlsClientKeyFile { get; init; }

    /// <summary>The client certificate files, when both are given.</summary>
    /// <exception cref="ArgumentException">Only one of the two is given.</exception>
    internal ClientCertificateFiles? ClientCertificate => (TlsClientCertificateFile, TlsClientKeyFile) switch
    {
        (null, null) => null,
        ({ } cert, { } key) => new ClientCertificateFiles(cert, key),
        _ => throw new ArgumentException("mutual TLS needs both TlsClientCertificateFile and TlsClientKeyFile"),
    };

    /// <summary>Bound on establishing each connection, TLS handshake and retries included.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline for each endorsement or evaluation call.</summary>
    public TimeSpan EndorseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline for each submit (broadcast) call.</summary>
    public TimeSpan SubmitTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline for a commit wait, from the moment it starts.</summary>
    public TimeSpan CommitStatusTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an event stream keeps re-opening after a break before it gives up.</summary>
    public TimeSpan EventReconnectTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Where the client logs (category <c>FabricInvoke.Client</c>); none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock for deadlines and timestamps; the system clock by default.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
