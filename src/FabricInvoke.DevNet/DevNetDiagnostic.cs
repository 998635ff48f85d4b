namespace FabricInvoke.DevNet;

/// <summary>What kind of event a <see cref="DevNetDiagnostic"/> reports.</summary>
public enum DevNetDiagnosticKind
{
    /// <summary>A torn last ledger record (a process killed mid-append) was cut at start-up.</summary>
    LedgerTailCut,

    /// <summary>A ledger file in the pre-checksum format was converted to the current format at start-up.</summary>
    LedgerMigrated,

    /// <summary>A node cannot write its ledger (disk full, I/O error): it refuses new transactions and retries.</summary>
    LedgerWriteFailed,

    /// <summary>A node that could not write its ledger can again, and accepts transactions again.</summary>
    LedgerWriteRecovered,

    /// <summary>A node stopped working because of an unexpected error; it refuses transactions until the network restarts.</summary>
    NodeFailed,

    /// <summary>The folder is owned by another process; this one waits for it (bounded by <see cref="DevNetOptions.LockWait"/>).</summary>
    WaitingForOwner,
}

/// <summary>
/// One event worth telling the operator about, as it happens. <see cref="Message"/> is one line that names the node
/// (and file) concerned; <c>devnet up</c> prints it on stderr.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="Node">The node concerned ("orderer.example.com", "peer0.org1.example.com"), or "devnet" for the folder.</param>
/// <param name="Message">A complete, single-line description.</param>
public sealed record DevNetDiagnostic(DevNetDiagnosticKind Kind, string Node, string Message)
{
    public override string ToString() => Message;
}
