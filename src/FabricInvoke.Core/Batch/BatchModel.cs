using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core.Batch;

/// <summary>One input line of a batch: what to invoke, or why the line cannot be sent.</summary>
/// <param name="Line">1-based line number in the input.</param>
/// <param name="Id">The caller's own id for the line, if it gave one.</param>
/// <param name="Invocation">What to invoke; null when the line is malformed (<paramref name="Malformed"/> says why).</param>
/// <param name="Malformed">A Usage failure naming the line; null for a good line.</param>
internal sealed record BatchItem(long Line, string? Id, ChaincodeInvocation? Invocation, FabricInvokeException? Malformed = null);

/// <summary>What a batch does besides whom it talks to (that is the <see cref="Connections.ChaincodeCmdFactory"/>).</summary>
internal sealed record BatchOptions
{
    /// <summary>Transactions in flight at once (endorsing, ordering or waiting for their commit).</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>Bound on each transaction's commit wait, from the orderer's acceptance (--waitForEventTimeout).</summary>
    public TimeSpan WaitForEventTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline for each endorsement and broadcast call (--requestTimeout).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whose commit reports each transaction waits for (--waitFor).</summary>
    public CommitPolicy WaitFor { get; init; } = CommitPolicy.All;

    /// <summary>Through the first peer's Gateway service (Endorse → Submit → CommitStatus per transaction).</summary>
    public bool Gateway { get; init; }

    /// <summary>With <see cref="Gateway"/>: endorse on these organisations only.</summary>
    public IReadOnlyList<string> EndorsingOrganizations { get; init; } = [];

    /// <summary>A line whose transaction was invalidated with MVCC_READ_CONFLICT is endorsed again under a new txid.</summary>
    public bool RetryInvalid { get; init; }

    /// <summary>How many times one line is tried under <see cref="RetryInvalid"/> (the first attempt included).</summary>
    public int MaxAttempts { get; init; } = 10;
}

/// <summary>What became of one input line.</summary>
/// <param name="Line">1-based line number in the input.</param>
/// <param name="Id">The caller's id for the line, if it gave one.</param>
/// <param name="TxId">The (last) transaction id used for the line; null when none was made.</param>
/// <param name="Status">"VALID", a validation code such as "MVCC_READ_CONFLICT", or "FAILED" when it never committed.</param>
/// <param name="Block">The block it committed in, when it did.</param>
/// <param name="Commits">Each peer's report, in the order they came.</param>
/// <param name="Elapsed">From the line's start to its end (every attempt).</param>
/// <param name="Error">The failure, as a single invoke reports it; null when VALID.</param>
/// <param name="Skipped">"journal" when a resumed run found the line committed already; "invalid" for a malformed line skipped; null otherwise.</param>
/// <param name="Attempts">Transactions made for the line by this run (more than one only with --retry-invalid).</param>
internal sealed record BatchOutcome(
    long Line,
    string? Id,
    string? TxId,
    string Status,
    ulong? Block,
    IReadOnlyList<PeerCommit> Commits,
    TimeSpan Elapsed,
    FabricInvokeException? Error,
    string? Skipped = null,
    int Attempts = 1)
{
    /// <summary>Committed VALID (now or, when skipped, by an earlier run).</summary>
    public bool IsValid => Error is null && Status == "VALID";
}
