namespace FabricInvoke.Core.Errors;

/// <summary>
/// The one exception type Core throws for failures a user can meet. The message is a single line that
/// names the peer, orderer or file involved; <see cref="Kind"/> decides the exit code.
/// Build instances through <see cref="Failures"/> so every message has the same shape.
/// </summary>
public sealed class FabricInvokeException : Exception
{
    public FabricInvokeException(FailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public FabricInvokeException()
        : this(FailureKind.Usage, "fabinvoke failure")
    {
    }

    public FabricInvokeException(string message)
        : this(FailureKind.Usage, message)
    {
    }

    public FabricInvokeException(string message, Exception innerException)
        : this(FailureKind.Usage, message, innerException)
    {
    }

    /// <summary>The failure class.</summary>
    public FailureKind Kind { get; }

    /// <summary>The transaction id, when one had been computed.</summary>
    public string? TxId { get; init; }

    /// <summary>The peer or orderer address, or the file, the failure is about.</summary>
    public string? Target { get; init; }

    /// <summary>
    /// True when the transaction had been accepted by an orderer before the failure, so it may still commit:
    /// a script should re-check the txid rather than re-submit.
    /// </summary>
    public bool MayHaveCommitted { get; init; }
}
