namespace FabricInvoke.Core.Ordering;

/// <summary>
/// How a channel orders transactions, as its configuration says: the consensus type (<c>etcdraft</c>, <c>BFT</c>, …)
/// and, for BFT, the number of consenters (the cluster whose quorum must accept a transaction).
/// </summary>
/// <param name="ConsensusType">The Orderer group's ConsensusType value; empty when the configuration has none.</param>
/// <param name="ClusterSize">BFT consenters listed in the configuration (its <c>Orderers</c> value); 0 when not listed.</param>
internal sealed record ChannelOrdering(string ConsensusType, int ClusterSize)
{
    /// <summary>Byzantine fault tolerant ordering (Fabric 3 SmartBFT): the transaction goes to every orderer at once.</summary>
    public bool IsBft => string.Equals(ConsensusType, "BFT", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The number of orderers that must accept a transaction of a BFT channel with <paramref name="orderers"/> orderers
    /// (the cluster size when the configuration lists it): Q = ⌈(N + F + 1) / 2⌉ with F = ⌊(N − 1) / 3⌋, as Fabric's
    /// Gateway computes it (any two quorums share F + 1 orderers).
    /// </summary>
    public int Quorum(int orderers)
    {
        var n = ClusterSize > 0 ? ClusterSize : orderers;
        var f = (n - 1) / 3;
        return (n + f + 2) / 2;
    }
}
