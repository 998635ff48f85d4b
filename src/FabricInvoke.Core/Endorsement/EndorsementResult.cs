using FabricInvoke.Protos.Peer;

namespace FabricInvoke.Core.Endorsement;

/// <summary>One peer's successful endorsement.</summary>
public sealed record EndorsementResult(string Address, ProposalResponse Response, TimeSpan Latency);
