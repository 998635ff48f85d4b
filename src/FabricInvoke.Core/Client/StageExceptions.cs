using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core;

/// <summary>
/// Endorsement failed (a peer or the gateway refused, was unreachable, or peers disagreed): nothing was sent to an
/// orderer, so the transaction cannot commit. <see cref="FabricInvokeException.Details"/> holds each endpoint's words.
/// </summary>
public sealed class EndorseException : FabricInvokeException
{
    internal EndorseException(FabricInvokeException failure)
        : base(failure)
    {
    }
}

/// <summary>
/// Submitting to ordering failed (no orderer reachable, a refusal, no answer in time). <see cref="FabricInvokeException.MayHaveCommitted"/>
/// says whether an orderer may have it anyway: then check the transaction id before submitting again.
/// </summary>
public sealed class SubmitException : FabricInvokeException
{
    internal SubmitException(FabricInvokeException failure)
        : base(failure)
    {
    }
}

/// <summary>
/// The commit wait failed after the transaction was submitted (a broken deliver stream, a gateway error, the
/// deadline): its outcome is unknown, it may still commit.
/// </summary>
public sealed class CommitStatusException : FabricInvokeException
{
    internal CommitStatusException(FabricInvokeException failure)
        : base(failure)
    {
    }
}

/// <summary>
/// The transaction was committed with a validation code other than VALID (<see cref="FabricInvokeException.ValidationCode"/>,
/// in block <see cref="FabricInvokeException.BlockNumber"/>): it is in the ledger and can never take effect.
/// </summary>
public sealed class CommitException : FabricInvokeException
{
    internal CommitException(FabricInvokeException failure)
        : base(failure)
    {
    }
}

/// <summary>Turns a stage's <see cref="FabricInvokeException"/> into its per-stage type.</summary>
internal static class StageFailure
{
    public static FabricInvokeException Endorse(FabricInvokeException e) => e is EndorseException || e.Kind is FailureKind.Usage or FailureKind.Config or FailureKind.Interrupted ? e : new EndorseException(e);

    public static FabricInvokeException Submit(FabricInvokeException e) =>
        e is SubmitException || e.Kind is FailureKind.Usage or FailureKind.Config ? e
        : e.Kind == FailureKind.Endorsement ? new EndorseException(e)
        : new SubmitException(e);

    public static FabricInvokeException Commit(FabricInvokeException e) =>
        e is CommitException or CommitStatusException ? e
        : e.Kind == FailureKind.Invalidated ? new CommitException(e)
        : new CommitStatusException(e);
}
