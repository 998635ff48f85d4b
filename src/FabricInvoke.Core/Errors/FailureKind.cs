namespace FabricInvoke.Core.Errors;

/// <summary>
/// The class of a failure — in practice the stage that failed. Each class maps to one documented process exit code
/// in the CLI, so scripts can tell what happened and whether the transaction may still commit.
/// </summary>
public enum FailureKind
{
    /// <summary>Bad flags or arguments (malformed JSON, missing required values, bad durations).</summary>
    Usage,

    /// <summary>Local configuration: MSP folder, keys, certificates, TLS files.</summary>
    Config,

    /// <summary>A peer or orderer could not be reached (refused, TLS handshake, connect timeout).</summary>
    Connection,

    /// <summary>An endorser refused the proposal, or endorsements disagree. Nothing was sent to the orderer.</summary>
    Endorsement,

    /// <summary>The orderer refused the transaction, or did not answer.</summary>
    Ordering,

    /// <summary>The transaction was committed with a validation code other than VALID.</summary>
    Invalidated,

    /// <summary>The commit wait timed out after a successful broadcast: the outcome is unknown.</summary>
    CommitTimeout,

    /// <summary>A deliver stream failed (status before the txid, or the stream closed).</summary>
    Deliver,

    /// <summary>The user cancelled (Ctrl-C or SIGTERM).</summary>
    Interrupted,

    /// <summary>An event stream's --timeout passed without a single event (or block) to show.</summary>
    NoEvents,
}
