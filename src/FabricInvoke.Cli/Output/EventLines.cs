using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Events;

namespace FabricInvoke.Cli.Output;

/// <summary>The line <c>events</c> writes for one chaincode event or one block: text, or JSON (JSON Lines).</summary>
internal static class EventLines
{
    /// <summary>A checkpoint's position as messages name it: "block 5" or "block 5, txid …".</summary>
    internal static string Describe(EventCheckpoint c) =>
        c.TxId is null ? $"block {c.Block}" : $"block {c.Block}, txid {c.TxId}";

    internal static string EventText(FollowedEvent e)
    {
        var tx = e.TxIndex is { } i ? i.ToString(CultureInfo.InvariantCulture) : "-";
        var payload = PrintableText(e.Payload) is { } text ? $"payload={text}" : $"payload64={Convert.ToBase64String(e.Payload)}";
        return $"block={e.Block} tx={tx} txid={e.TxId} chaincode={e.ChaincodeId} event={e.EventName} {payload}";
    }

    internal static string EventJson(FollowedEvent e) => System.Text.Json.JsonSerializer.Serialize(
        new EventLine(e.Block, e.TxIndex, e.TxId, e.ChaincodeId, e.EventName, Utf8(e.Payload), Convert.ToBase64String(e.Payload)),
        EventsJsonContext.Readable.EventLine);

    internal static string BlockText(DeliveredBlock b) =>
        $"block={b.Number} txs={b.Transactions.Count}" + string.Concat(b.Transactions.Select(t => $" {(t.TxId.Length == 0 ? "-" : t.TxId)}:{t.ValidationCodeName}"));

    internal static string BlockJson(DeliveredBlock b) => System.Text.Json.JsonSerializer.Serialize(
        new BlockLine(b.Number, b.Transactions.Select(t => new BlockTransactionLine(t.Index, t.TxId, t.Type.ToString(), t.ValidationCodeName)).ToList()),
        EventsJsonContext.Readable.BlockLine);

    /// <summary>The payload as text when it is valid UTF-8 with nothing a terminal would interpret; else null.</summary>
    private static string? PrintableText(byte[] payload)
    {
        var text = Utf8(payload);
        return text is not null && !text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029') ? text : null;
    }

    private static string? Utf8(byte[] payload)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

/// <summary>One line of <c>events chaincode --output json</c> (JSON Lines). Field names are a public contract.</summary>
internal sealed record EventLine(
    [property: JsonPropertyName("block")] ulong Block,
    [property: JsonPropertyName("txIndex")] int? TxIndex,
    [property: JsonPropertyName("txid")] string TxId,
    [property: JsonPropertyName("chaincode")] string Chaincode,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("payload")] string? Payload,
    [property: JsonPropertyName("payloadBase64")] string PayloadBase64);

/// <summary>One line of <c>events blocks --output json</c>.</summary>
internal sealed record BlockLine(
    [property: JsonPropertyName("block")] ulong Block,
    [property: JsonPropertyName("transactions")] IReadOnlyList<BlockTransactionLine> Transactions);

internal sealed record BlockTransactionLine(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("txid")] string TxId,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("validationCode")] string ValidationCode);

[JsonSerializable(typeof(EventLine))]
[JsonSerializable(typeof(BlockLine))]
internal sealed partial class EventsJsonContext : JsonSerializerContext
{
    public static EventsJsonContext Readable { get; } = new(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
