namespace FabricInvoke.Core.Errors;

/// <summary>
/// The one exception type Core throws for failures a user can meet. The message is a single line that
/// names the peer, orderer or file involved; <see cref="Kind"/> decides the exit code.
/// Build instances through <see cref="Failures"/> so every message has the same shape.
/// </summary>
public sealed class FabricInvokeException : Exception
{
    public FabricInvokeException(FailureKind kind, string message, Exception? innerException = null)
        : base(OneLine(message), innerException)
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

    /// <summary>
    /// Messages quote what the user typed (an address, a spec, a JSON key) and what a node said (a gRPC status
    /// detail, a chaincode message). Line breaks and control characters (ESC sequences) in them are shown escaped, so
    /// there is always exactly one <c>Error:</c> line that scripts can grep and nothing a terminal would interpret.
    /// </summary>
    private static string OneLine(string? message)
    {
        if (message is null || !message.Any(NeedsEscape))
        {
            return message ?? string.Empty;
        }

        var sb = new System.Text.StringBuilder(message.Length + 8);
        foreach (var c in message)
        {
            _ = c switch
            {
                '\r' => sb.Append("\\r"),
                '\n' => sb.Append("\\n"),
                _ when NeedsEscape(c) => sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }

    private static bool NeedsEscape(char c) => (char.IsControl(c) && c != '\t') || c is '\u2028' or '\u2029';
}
