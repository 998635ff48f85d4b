using System.Text;
using System.Text.Json.Serialization;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Invocation;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// The one JSON object <c>--output json</c> writes on stdout, for success and failure alike. Field names are a
/// public contract, described by <c>docs/schemas/invoke-result.schema.json</c>; add fields, never rename them.
/// </summary>
internal sealed record InvokeJson(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("txid")] string? TxId,
    [property: JsonPropertyName("channel")] string? Channel,
    [property: JsonPropertyName("chaincode")] string? Chaincode,
    [property: JsonPropertyName("result")] ResultJson? Result,
    [property: JsonPropertyName("endorsements")] IReadOnlyList<EndorsementJson> Endorsements,
    [property: JsonPropertyName("orderer")] OrdererJson? Orderer,
    [property: JsonPropertyName("commits")] IReadOnlyList<CommitJson> Commits,
    [property: JsonPropertyName("timings")] TimingsJson? Timings,
    [property: JsonPropertyName("error")] ErrorJson? Error)
{
    /// <summary>Every orderer the transaction was sent to or tried, in the order given or found; empty through a gateway or before ordering.</summary>
    [JsonPropertyName("orderers")]
    public IReadOnlyList<OrdererAttemptJson> Orderers { get; init; } = [];

    public static InvokeJson From(InvokeResult? result, FabricInvokeException? error, int exitCode) => new(
        error is null,
        result?.TxId ?? error?.TxId,
        result?.ChannelId,
        result?.ChaincodeName,
        result?.Result is { } r ? new ResultJson(r.Status, r.Message, Utf8OrNull(r.Payload), Convert.ToBase64String(r.Payload)) : null,
        result?.Endorsements.Select(e => new EndorsementJson(e.Address, e.MspId, e.Status, e.Message, Ms(e.Latency), Ms(e.Connect), Ms(e.Tls))).ToList() ?? [],
        result?.Orderer is { } o ? new OrdererJson(o.Address, o.Status, o.ThroughGateway) { Quorum = result.OrdererQuorum } : null,
        result?.Commits.Select(c => new CommitJson(c.Address, c.CodeName, c.BlockNumber, Ms(c.Latency))).ToList() ?? [],
        result is null ? null : new TimingsJson(
            Ms(result.Timings.Startup),
            Ms(result.Timings.Endorse), Ms(result.Timings.DeliverConnect), Ms(result.Timings.Broadcast), Ms(result.Timings.Commit), Ms(result.Timings.Total)),
        error is null ? null : ErrorJson.From(error, exitCode))
    {
        Orderers = result?.OrderersTried.Select(a => new OrdererAttemptJson(a.Address, OutcomeName(a.Outcome), a.Status, ResultWriter.CliWords(a.Message), Ms(a.Latency))).ToList() ?? [],
    };

    private static string OutcomeName(Core.Ordering.OrdererOutcome outcome) => outcome switch
    {
        Core.Ordering.OrdererOutcome.Accepted => "accepted",
        Core.Ordering.OrdererOutcome.Refused => "refused",
        Core.Ordering.OrdererOutcome.Unreachable => "unreachable",
        Core.Ordering.OrdererOutcome.NoResponse => "noResponse",
        Core.Ordering.OrdererOutcome.Failed => "failed",
        _ => "pending",
    };

    /// <summary>The object for a failure with nothing else to report (a usage error, an internal error).</summary>
    public static InvokeJson Failed(ErrorJson error) => new(false, null, null, null, null, [], null, [], null, error);

    /// <summary>Milliseconds with microsecond precision.</summary>
    private static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 3);

    private static string? Utf8OrNull(byte[] payload)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

/// <summary>The chaincode's answer; <c>payload</c> is the text when the bytes are valid UTF-8, else null (see <c>payloadBase64</c>).</summary>
internal sealed record ResultJson(
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("payload")] string? Payload,
    [property: JsonPropertyName("payloadBase64")] string PayloadBase64);

internal sealed record EndorsementJson(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("mspId")] string? MspId,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("latencyMs")] double LatencyMs,
    [property: JsonPropertyName("connectMs")] double ConnectMs,
    [property: JsonPropertyName("tlsMs")] double TlsMs);

internal sealed record OrdererJson(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("throughGateway")] bool ThroughGateway)
{
    /// <summary>BFT: how many orderers had to accept the transaction; null when one was enough.</summary>
    [JsonPropertyName("quorum")]
    public int? Quorum { get; init; }
}

/// <summary>One orderer tried: its outcome, the broadcast status it answered (or null), its words or why it could not be reached.</summary>
internal sealed record OrdererAttemptJson(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("latencyMs")] double LatencyMs);

internal sealed record CommitJson(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("validationCode")] string ValidationCode,
    [property: JsonPropertyName("block")] ulong Block,
    [property: JsonPropertyName("latencyMs")] double LatencyMs);

internal sealed record TimingsJson(
    [property: JsonPropertyName("startupMs")] double StartupMs,
    [property: JsonPropertyName("endorseMs")] double EndorseMs,
    [property: JsonPropertyName("deliverConnectMs")] double DeliverConnectMs,
    [property: JsonPropertyName("broadcastMs")] double BroadcastMs,
    [property: JsonPropertyName("commitMs")] double CommitMs,
    [property: JsonPropertyName("totalMs")] double TotalMs);

internal sealed record ErrorDetailJson(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("mspId")] string? MspId,
    [property: JsonPropertyName("message")] string Message);

/// <summary>What failed: the exit code and class, the one-line message, the nodes or files involved, and whether it may still commit.</summary>
internal sealed record ErrorJson(
    [property: JsonPropertyName("exitCode")] int ExitCode,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("targets")] IReadOnlyList<string> Targets,
    [property: JsonPropertyName("mayHaveCommitted")] bool MayHaveCommitted,
    [property: JsonPropertyName("sendState")] string SendState,
    [property: JsonPropertyName("details")] IReadOnlyList<ErrorDetailJson> Details,
    [property: JsonPropertyName("grpcStatus")] string? GrpcStatus,
    [property: JsonPropertyName("fabricStatus")] string? FabricStatus,
    [property: JsonPropertyName("chaincodeStatus")] int? ChaincodeStatus,
    [property: JsonPropertyName("validationCode")] string? ValidationCode,
    [property: JsonPropertyName("block")] ulong? Block)
{
    public static ErrorJson From(FabricInvokeException e, int exitCode) => new(
        exitCode,
        KindName(e.Kind),
        ResultWriter.CliMessage(e), // the Error: line's words, flag names and the client-certificate hint included
        e.Targets,
        e.MayHaveCommitted,
        SendStateName(e.SendState),
        e.Details.Select(d => new ErrorDetailJson(d.Address, d.MspId, ResultWriter.CliWords(d.Message))).ToList(),
        e.GrpcStatus?.ToString(),
        e.FabricStatus is { } s ? FabricNames.Of(s) : null,
        e.ChaincodeStatus,
        e.ValidationCode is { } v ? FabricNames.Of(v) : null,
        e.BlockNumber);

    /// <summary>An error that is not a <see cref="FabricInvokeException"/> (a bug): exit 1, kind "internal".</summary>
    public static ErrorJson Internal(string message) =>
        new(ExitCodes.Internal, "internal", message, [], false, "unknown", [], null, null, null, null, null);

    public static string KindName(FailureKind kind) => kind switch
    {
        FailureKind.Usage => "usage",
        FailureKind.Config => "config",
        FailureKind.Connection => "connection",
        FailureKind.Endorsement => "endorsement",
        FailureKind.Ordering => "ordering",
        FailureKind.Invalidated => "invalidated",
        FailureKind.CommitTimeout => "commitTimeout",
        FailureKind.Deliver => "deliver",
        FailureKind.Interrupted => "interrupted",
        FailureKind.NoEvents => "noEvents",
        _ => "internal",
    };

    private static string SendStateName(SendState state) => state switch
    {
        Core.Errors.SendState.Sent => "sent",
        Core.Errors.SendState.MaybeSent => "maybeSent",
        _ => "notSent",
    };
}

/// <summary>Source-generated (reflection-free, AOT-safe) serialization of the CLI's JSON output.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(InvokeJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Minimal escaping: quotes and non-ASCII text stay readable (a chaincode message, a UTF-8 payload); the output is
    /// a JSON document for programs, never embedded in HTML.
    /// </summary>
    public static CliJsonContext Readable { get; } = new(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
