namespace FabricInvoke.Core.Ordering;

/// <summary>The orderer that accepted the transaction, and how long it took.</summary>
public sealed record BroadcastResult(string OrdererAddress, TimeSpan Latency);
