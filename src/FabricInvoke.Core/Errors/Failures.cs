namespace FabricInvoke.Core.Errors;

/// <summary>The one place that words failures, so every message has the same shape.</summary>
public static class Failures
{
    public static FabricInvokeException Usage(string message) => new(FailureKind.Usage, message);

    public static FabricInvokeException Config(string file, string problem, Exception? inner = null) =>
        new(FailureKind.Config, $"{problem}: {file}", inner) { Target = file };

    public static FabricInvokeException ConfigMessage(string message, Exception? inner = null) =>
        new(FailureKind.Config, message, inner);

    public static FabricInvokeException Connection(string role, string address, string problem, Exception? inner = null, string? txId = null) =>
        new(FailureKind.Connection, $"cannot connect to {role} {address}: {problem}", inner) { Target = address, TxId = txId };

    public static FabricInvokeException Endorsement(string? txId, string address, string problem, Exception? inner = null) =>
        new(FailureKind.Endorsement, $"endorsement failure during invoke at peer {address}: {problem}", inner) { Target = address, TxId = txId };

    public static FabricInvokeException EndorsementMismatch(string? txId, string message) =>
        new(FailureKind.Endorsement, message) { TxId = txId };

    public static FabricInvokeException Ordering(string? txId, string address, string problem, Exception? inner = null) =>
        new(FailureKind.Ordering, $"error sending transaction for invoke to orderer {address}: {problem}", inner) { Target = address, TxId = txId };

    public static FabricInvokeException Invalidated(string txId, string address, string code, ulong blockNumber) =>
        new(FailureKind.Invalidated, $"transaction {txId} invalidated with status ({code}) at {address} in block {blockNumber}") { Target = address, TxId = txId, MayHaveCommitted = true };

    public static FabricInvokeException CommitTimeout(string txId, TimeSpan timeout, IEnumerable<string> pendingPeers) =>
        new(FailureKind.CommitTimeout, $"timed out after {FormatDuration(timeout)} waiting for txid {txId} on peers {string.Join(", ", pendingPeers)}; the transaction was sent to the orderer and may still commit") { TxId = txId, MayHaveCommitted = true };

    public static FabricInvokeException Deliver(string? txId, string address, string problem, bool mayHaveCommitted, Exception? inner = null) =>
        new(FailureKind.Deliver, $"deliver from {address} failed: {problem}", inner) { Target = address, TxId = txId, MayHaveCommitted = mayHaveCommitted };

    public static FabricInvokeException Interrupted(string? txId, bool mayHaveCommitted) =>
        new(FailureKind.Interrupted, mayHaveCommitted
            ? $"interrupted while waiting for txid {txId}; the transaction was sent to the orderer and may still commit"
            : "interrupted before the transaction was sent to the orderer") { TxId = txId, MayHaveCommitted = mayHaveCommitted };

    /// <summary>Formats a duration the way Fabric users write it (30s, 1.5s, 250ms).</summary>
    public static string FormatDuration(TimeSpan d)
    {
        if (d.TotalSeconds >= 1 && d.TotalMilliseconds % 1000 == 0)
        {
            return $"{(long)d.TotalSeconds}s";
        }

        if (d.TotalSeconds >= 1)
        {
            return $"{d.TotalSeconds:0.###}s";
        }

        return $"{d.TotalMilliseconds:0.###}ms";
    }
}
