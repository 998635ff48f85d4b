using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core.Invocation;

/// <summary>What one <c>chaincode invoke</c> does, apart from whom it talks to (that is the <see cref="Connections.ChaincodeCmdFactory"/>).</summary>
public sealed record InvokeOptions
{
    public required ChaincodeInvocation Invocation { get; init; }

    /// <summary>Wait until every peer reports the commit (--waitForEvent).</summary>
    public bool WaitForEvent { get; init; }

    /// <summary>One deadline for connecting the deliver streams and waiting for the commit (--waitForEventTimeout).</summary>
    public TimeSpan WaitForEventTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline for each endorsement and each broadcast call (--requestTimeout).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
