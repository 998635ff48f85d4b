using System.Text.Json;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Invocation;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// The output layer: turns a command's outcome into what the user sees. Text: the peer CLI's closing log line on
/// success, one <c>Error:</c> line on stderr on failure. JSON: the same on stderr, plus exactly one object on stdout.
/// The exit code is derived here, from the failure's kind, and nowhere else.
/// </summary>
internal sealed class ResultWriter
{
    private readonly OutputFormat _format;
    private readonly CliContext _context;

    private readonly bool _jsonLines;

    /// <param name="jsonLines">The command writes JSON Lines itself (event streams): a failure then adds no result object.</param>
    public ResultWriter(OutputFormat format, CliContext context, bool jsonLines = false)
    {
        _format = format;
        _context = context;
        _jsonLines = jsonLines;
    }

    /// <returns>The exit code (0).</returns>
    public int InvokeSucceeded(InvokeResult result, FabricLog log)
    {
        if (!_context.Progress.TryFinish())
        {
            return ExitCodes.Interrupted;
        }

        if (result.Result is { } r)
        {
            log.Info("chaincodeInvokeOrQuery", "Chaincode invoke successful. result: " + ProtoText.Response(r.Status, r.Message, r.Payload));
        }

        WriteJson(InvokeJson.From(result, null, ExitCodes.Success));
        return ExitCodes.Success;
    }

    /// <summary>
    /// A query's answer. Text: the payload on stdout, rendered as <paramref name="render"/> says, as the peer CLI prints
    /// it and nothing else; JSON: the one object instead.
    /// </summary>
    /// <returns>The exit code (0).</returns>
    public int QuerySucceeded(InvokeResult result, Func<byte[], byte[]> render)
    {
        if (!_context.Progress.TryFinish())
        {
            return ExitCodes.Interrupted;
        }

        if (_format == OutputFormat.Json)
        {
            WriteJson(InvokeJson.From(result, null, ExitCodes.Success));
            return ExitCodes.Success;
        }

        var bytes = render(result.Result?.Payload ?? []);
        if (_context.RawOutput is { } raw)
        {
            _context.Output.Flush();
            raw.Write(bytes);
            raw.Flush();
        }
        else
        {
            _context.Output.Write(System.Text.Encoding.UTF8.GetString(bytes));
            _context.Output.Flush();
        }

        return ExitCodes.Success;
    }

    /// <summary>Reports a failure, with what was done before it when known.</summary>
    /// <returns>The exit code for the failure's kind.</returns>
    public int Failed(FabricInvokeException e, InvokeResult? partial = null)
    {
        var code = ExitCodes.For(e.Kind);
        if (!_context.Progress.TryFinish())
        {
            return code;
        }

        // Line is Message plus the txid when the message does not name it; the CLI's words replace the Message part.
        _context.Error.WriteLine($"Error: {CliMessage(e)}{CliWords(e.Line[e.Message.Length..])}");
        WriteJson(InvokeJson.From(partial, e, code));
        return code;
    }

    /// <summary>
    /// The failure's message in the CLI's terms: where Core says what to change in Fabric terms
    /// (<see cref="FabricInvokeException.Remedy"/>), the flag that changes it, as the peer CLI names it; then how to give
    /// a missing TLS client certificate.
    /// </summary>
    internal static string CliMessage(FabricInvokeException e)
    {
        var message = e.Message;
        if (FlagWords(e.Remedy) is { } flags)
        {
            var phrase = Failures.RemedyPhrase(e.Remedy);
            var at = message.IndexOf(phrase, StringComparison.Ordinal);
            if (at >= 0)
            {
                message = string.Concat(message.AsSpan(0, at), flags, message.AsSpan(at + phrase.Length));
            }
        }

        return CliWords(message) + ClientCertificateHint(e);
    }

    /// <summary>
    /// Core's words for a setting, inside a text from Core (a connection's failure, wherever it is quoted), replaced by
    /// the CLI's flag: the connect timeout is --connTimeout (CORE_PEER_CLIENT_CONNTIMEOUT), as the peer CLI names it, and
    /// a request's deadline --requestTimeout.
    /// </summary>
    internal static string CliWords(string text) =>
        text.Replace(RpcFailure.ConnectTimeoutPhrase, "(connTimeout)", StringComparison.Ordinal)
            .Replace(RpcFailure.RequestTimeoutPhrase, "(requestTimeout)", StringComparison.Ordinal);

    /// <summary>The CLI's words for a remedy: they take the place of <see cref="Failures.RemedyPhrase"/> in the message.</summary>
    private static string? FlagWords(Remedy remedy) => remedy switch
    {
        Remedy.OrdererRequired => "no orderer given: use -o/--orderer host:port",
        Remedy.GiveOrderer => "give -o/--orderer",
        Remedy.CommitPolicy => "--waitFor ",
        Remedy.EventStreamTimeout => " (--timeout)",
        Remedy.ReconnectWindow => " (--reconnect-timeout)",
        _ => null,
    };

    /// <summary>
    /// For a node that refused the connection for want of a TLS client certificate: how to give one, in the peer CLI's
    /// terms (its orderer flags, its peer variables).
    /// </summary>
    internal static string? ClientCertificateHint(FabricInvokeException e) => e.ClientCertificateRequiredBy switch
    {
        null => null,
        "orderer" => "; give one with --clientauth --certfile FILE --keyfile FILE",
        _ => "; give one with CORE_PEER_TLS_CLIENTAUTHREQUIRED=true, CORE_PEER_TLS_CLIENTCERT_FILE=FILE and CORE_PEER_TLS_CLIENTKEY_FILE=FILE",
    };

    /// <summary>A parse error (bad or unknown flag): exit 2.</summary>
    public int UsageFailed(string message, string? hint)
    {
        if (!_context.Progress.TryFinish())
        {
            return ExitCodes.Usage;
        }

        var line = Text(message);
        _context.Error.WriteLine($"Error: {line}");
        if (hint is not null)
        {
            _context.Error.WriteLine(hint);
        }

        WriteJson(InvokeJson.Failed(new ErrorJson(ExitCodes.Usage, "usage", line, [], false, "notSent", [], null, null, null, null, null)));
        return ExitCodes.Usage;
    }

    /// <summary>A bug: one line (the stack only with FABINVOKE_DEBUG_STACK=1), exit 1.</summary>
    public int InternalError(Exception e)
    {
        if (!_context.Progress.TryFinish())
        {
            return ExitCodes.Internal;
        }

        var line = Text($"internal error ({e.GetType().Name}): {e.Message}");
        _context.Error.WriteLine($"Error: {line}");
        if (_context.Environment["FABINVOKE_DEBUG_STACK"] == "1")
        {
            _context.Error.WriteLine(e.ToString());
        }

        WriteJson(InvokeJson.Failed(ErrorJson.Internal(line)));
        return ExitCodes.Internal;
    }

    /// <summary>Ctrl-C that reached the command outside any stage (e.g. while loading files).</summary>
    public int Interrupted() => Failed(_context.Progress.Interruption());

    private void WriteJson(InvokeJson document)
    {
        if (_format != OutputFormat.Json || _jsonLines)
        {
            return;
        }

        _context.Output.WriteLine(JsonSerializer.Serialize(document, CliJsonContext.Readable.InvokeJson));
        _context.Output.Flush();
    }

    private static string Text(string message) => Failures.OneLine(message);
}
