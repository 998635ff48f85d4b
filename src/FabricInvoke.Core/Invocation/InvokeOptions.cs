using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core.Invocation;

/// <summary>What one <c>chaincode invoke</c> does, apart from whom it talks to (that is the <see cref="Connections.ChaincodeCmdFactory"/>).</summary>
internal sealed record InvokeOptions
{
    public required ChaincodeInvocation Invocation { get; init; }

    /// <summary>Wait until every peer reports the commit (--waitForEvent).</summary>
    public bool WaitForEvent { get; init; }

    /// <summary>One deadline for connecting the deliver streams and waiting for the commit (--waitForEventTimeout).</summary>
    public TimeSpan WaitForEventTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline for each endorsement and each broadcast call (--requestTimeout).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whose commit reports to wait for (--waitFor); the peer CLI waits for every peer.</summary>
    public CommitPolicy WaitFor { get; init; } = CommitPolicy.All;

    /// <summary>Go through the first peer's Gateway service (Endorse → Submit → CommitStatus) instead of the peers and orderers directly.</summary>
    public bool Gateway { get; init; }

    /// <summary>With <see cref="Gateway"/>: endorse on these organisations only (--endorsingOrganizations).</summary>
    public IReadOnlyList<string> EndorsingOrganizations { get; init; } = [];
}
