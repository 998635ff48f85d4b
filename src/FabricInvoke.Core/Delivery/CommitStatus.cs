using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.Core.Delivery;

/// <summary>What one peer reported for the transaction: its validation code and the block it is in.</summary>
/// <param name="Latency">Time from the orderer's acceptance to this peer reporting the commit.</param>
public sealed record PeerCommit(string Address, TxValidationCode Code, ulong BlockNumber, TimeSpan Latency)
{
    /// <summary>True when the peer committed the transaction as VALID.</summary>
    public bool IsValid => Code == TxValidationCode.Valid;

    /// <summary>The validation code as the protocol names it (VALID, MVCC_READ_CONFLICT, …).</summary>
    public string CodeName => FabricNames.Of(Code);
}

/// <summary>The last stage: the transaction committed VALID on the peers waited for.</summary>
/// <param name="Commits">Per peer, in the order the peers were given.</param>
/// <param name="Elapsed">From the orderer's acceptance to the last awaited peer's report.</param>
internal sealed record CommitStatus(string TxId, IReadOnlyList<PeerCommit> Commits, TimeSpan Elapsed);
