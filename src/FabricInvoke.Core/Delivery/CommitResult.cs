using FabricInvoke.Protos.Peer;

namespace FabricInvoke.Core.Delivery;

/// <summary>What one peer reported for the transaction: its validation code and the block it is in.</summary>
/// <param name="Latency">Time from the broadcast being accepted to this peer reporting the commit.</param>
public sealed record CommitResult(string Address, TxValidationCode Code, ulong BlockNumber, TimeSpan Latency)
{
    public bool IsValid => Code == TxValidationCode.Valid;
}
