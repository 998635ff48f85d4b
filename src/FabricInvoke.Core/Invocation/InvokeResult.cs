using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Ordering;

namespace FabricInvoke.Core.Invocation;

/// <summary>How long each phase took; a phase that did not run is zero.</summary>
/// <param name="Startup">From the command's start to the signed proposal (settings, identity, TLS files).</param>
/// <param name="DeliverConnect">Opening the deliver streams; it overlaps the endorsement.</param>
/// <param name="Commit">From the orderer's acceptance to the last awaited peer's report.</param>
/// <param name="Total">From the command's start to its end.</param>
/// <param name="EndorseAndConnect">
/// From the first endorsement call to the moment the transaction could be broadcast: the endorsements, the deliver
/// streams and the orderer connection (or discovery) that run alongside them, and the checks on the answers.
/// </param>
/// <param name="OrdererConnect">TCP connect time of the accepting orderer's connection when this invoke opened it; zero otherwise.</param>
/// <param name="OrdererTls">TLS handshake time of that connection; zero otherwise.</param>
internal sealed record PhaseTimings(
    TimeSpan Startup,
    TimeSpan Endorse,
    TimeSpan DeliverConnect,
    TimeSpan Broadcast,
    TimeSpan Commit,
    TimeSpan Total,
    TimeSpan EndorseAndConnect = default,
    TimeSpan OrdererConnect = default,
    TimeSpan OrdererTls = default);

/// <summary>The orderer that accepted the transaction, and its answer (with <paramref name="ThroughGateway"/>: the gateway peer that had it ordered).</summary>
internal sealed record OrdererAcceptance(string Address, string Status, bool ThroughGateway);

/// <summary>
/// What an invoke did, as data that the text and JSON writers both render: complete after a success, as far as it got
/// after a failure (see <see cref="InvokeTrace"/>).
/// </summary>
/// <param name="TxId">Null when the failure came before the proposal existed.</param>
/// <param name="Result">The chaincode's answer; null before endorsement succeeded.</param>
/// <param name="Endorsements">Per peer, in the order the peers were given; empty before endorsement succeeded.</param>
/// <param name="Orderer">Null until an orderer accepted the transaction.</param>
/// <param name="Commits">Peers' reports in the order they arrived (an invalid one included); empty without --waitForEvent.</param>
internal sealed record InvokeResult(
    string? TxId,
    string ChannelId,
    string ChaincodeName,
    ChaincodeResponse? Result,
    IReadOnlyList<PeerEndorsement> Endorsements,
    OrdererAcceptance? Orderer,
    IReadOnlyList<PeerCommit> Commits,
    PhaseTimings Timings)
{
    /// <summary>
    /// Every orderer the transaction was sent to (or tried), in the order they were given or found, with what came of
    /// each (<see cref="OrdererOutcome.Pending"/>: no answer by the time of this result). Empty through a gateway.
    /// </summary>
    public IReadOnlyList<OrdererAttempt> OrderersTried { get; init; } = [];

    /// <summary>BFT: how many orderers had to accept the transaction; null otherwise.</summary>
    public int? OrdererQuorum { get; init; }
}
