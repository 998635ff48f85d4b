namespace FabricInvoke.Core.Errors;

/// <summary>How far a transaction got towards the orderer when something failed: what decides "may it still commit?".</summary>
internal enum SendState
{
    /// <summary>Nothing was given to an orderer: the transaction cannot commit, re-submitting is safe.</summary>
    NotSent,

    /// <summary>An orderer may have taken the envelope (the broadcast was in flight or unanswered): the outcome is unknown.</summary>
    MaybeSent,

    /// <summary>An orderer accepted the transaction: it may commit (or has).</summary>
    Sent,
}
