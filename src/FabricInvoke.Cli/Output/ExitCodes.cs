using FabricInvoke.Core.Errors;

namespace FabricInvoke.Cli.Output;

/// <summary>The process exit codes: one per failure class, documented in README.md. Scripts depend on these numbers.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Internal = 1;
    public const int Usage = 2;
    public const int Config = 3;
    public const int Connection = 4;
    public const int Endorsement = 5;
    public const int Ordering = 6;
    public const int Invalidated = 7;
    public const int CommitTimeout = 8;
    public const int Deliver = 9;
    public const int NoEvents = 10;
    public const int Interrupted = 130;

    /// <summary>
    /// <c>events</c>: results can no longer be delivered (stdout's reader went away, stdout closed or full, the output
    /// file unwritable). 141 is what a shell reports for a process killed by SIGPIPE, which .NET ignores.
    /// </summary>
    public const int OutputGone = 141;

    public static int For(FailureKind kind) => kind switch
    {
        FailureKind.Usage => Usage,
        FailureKind.Config => Config,
        FailureKind.Connection => Connection,
        FailureKind.Endorsement => Endorsement,
        FailureKind.Ordering => Ordering,
        FailureKind.Invalidated => Invalidated,
        FailureKind.CommitTimeout => CommitTimeout,
        FailureKind.Deliver => Deliver,
        FailureKind.NoEvents => NoEvents,
        FailureKind.Interrupted => Interrupted,
        _ => Internal,
    };
}
