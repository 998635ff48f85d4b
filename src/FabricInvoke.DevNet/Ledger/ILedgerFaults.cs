namespace FabricInvoke.DevNet.Ledger;

/// <summary>The fault switch a <see cref="BlockStore"/> consults before each write (implemented by the node's faults).</summary>
internal interface ILedgerFaults
{
    /// <summary>Each write stores half its record, then fails as a full disk does (ENOSPC).</summary>
    bool FailLedgerWrites { get; }
}
