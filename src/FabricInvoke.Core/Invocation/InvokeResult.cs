using FabricInvoke.Core.Delivery;

namespace FabricInvoke.Core.Invocation;

/// <summary>How long each phase took.</summary>
public sealed record PhaseTimings(TimeSpan Endorse, TimeSpan DeliverConnect, TimeSpan Broadcast, TimeSpan Commit, TimeSpan Total);

/// <summary>The chaincode's answer, as the endorsers returned it.</summary>
public sealed record ChaincodeResponse(int Status, string Message, byte[] Payload);

/// <summary>One peer's endorsement.</summary>
public sealed record PeerEndorsement(string Address, int Status, TimeSpan Latency);

/// <summary>The outcome of a successful invoke: data that the text and JSON writers both render.</summary>
/// <param name="Commits">Per peer, in the order the peers were given; empty without --waitForEvent.</param>
public sealed record InvokeResult(
    string TxId,
    ChaincodeResponse Response,
    IReadOnlyList<PeerEndorsement> Endorsements,
    string OrdererAddress,
    IReadOnlyList<CommitResult> Commits,
    PhaseTimings Timings);
