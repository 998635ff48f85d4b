namespace FabricInvoke.Core.Errors;

/// <summary>
/// What a user can change to get past a failure, as a value a front end can word in its own terms (a flag, a setting).
/// Core's message says it in Fabric terms, with the phrase <see cref="Failures.RemedyPhrase"/> gives; a front end may
/// put its own words in that phrase's place.
/// </summary>
internal enum Remedy
{
    /// <summary>Nothing to suggest.</summary>
    None,

    /// <summary>The transaction has no orderer to go to: none was given and none was discovered (the whole message).</summary>
    OrdererRequired,

    /// <summary>Give an orderer endpoint (discovery found none, or could not ask).</summary>
    GiveOrderer,

    /// <summary>The commit policy (the organisations whose peers must report the commit) is the setting at fault.</summary>
    CommitPolicy,

    /// <summary>An event stream's overall time limit ran out before anything arrived.</summary>
    EventStreamTimeout,

    /// <summary>An event stream's reconnect window ran out.</summary>
    ReconnectWindow,
}
