namespace FabricInvoke.Core.Ordering;

/// <summary>What became of the transaction at one orderer.</summary>
internal enum OrdererOutcome
{
    /// <summary>Sent; no answer yet (a BFT submit that reached its quorum does not wait for the rest).</summary>
    Pending,

    /// <summary>SUCCESS, or (BFT) the orderer already had the transaction ("request already exists").</summary>
    Accepted,

    /// <summary>Another broadcast status (SERVICE_UNAVAILABLE, BAD_REQUEST, FORBIDDEN, …).</summary>
    Refused,

    /// <summary>The connection could not be made (refused, no route, TLS failure, connect timeout): it never saw the transaction.</summary>
    Unreachable,

    /// <summary>No answer within the request timeout: it may have the transaction.</summary>
    NoResponse,

    /// <summary>The call failed after it was made (stream reset, …): it may have the transaction.</summary>
    Failed,
}

/// <summary>One orderer the transaction was sent to (or tried), and what came of it.</summary>
/// <param name="Index">Its position among the orderers (the same address may be listed twice).</param>
/// <param name="Address">The orderer as given or found.</param>
/// <param name="Outcome">What came of it.</param>
/// <param name="Status">The broadcast status name (SUCCESS, SERVICE_UNAVAILABLE, …) when it answered; else null.</param>
/// <param name="Message">Its answer's info text, or why it could not be reached; empty for a plain SUCCESS.</param>
/// <param name="Latency">From the moment it was tried to its outcome.</param>
internal sealed record OrdererAttempt(int Index, string Address, OrdererOutcome Outcome, string? Status, string Message, TimeSpan Latency)
{
    /// <summary>The broadcast status itself, when it answered.</summary>
    internal Protos.Common.Status? BroadcastStatus { get; init; }
}
