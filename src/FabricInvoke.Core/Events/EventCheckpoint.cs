using System.Globalization;
using System.Text;
using System.Text.Json;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;

namespace FabricInvoke.Core.Events;

/// <summary>
/// Where an event stream stands: the last emitted event's block, its transaction's index in the block (null through a
/// Gateway, which does not say) and its transaction id. A restarted stream resumes right after it.
/// </summary>
public sealed record EventCheckpoint(ulong Block, int? TxIndex, string? TxId)
{
    /// <summary>True when the transaction at <paramref name="index"/> with <paramref name="txId"/> in <paramref name="block"/> was already emitted.</summary>
    public bool Covers(ulong block, int? index, string txId) =>
        block < Block || (block == Block && (index is { } i && TxIndex is { } last ? i <= last : TxId is not null && TxId == txId));
}

/// <summary>
/// The checkpoint file: a small JSON object, replaced atomically after each emitted event (written to a temporary
/// file beside it, flushed to disk, renamed over it), so a process killed at any moment leaves the last good one.
/// </summary>
public sealed class CheckpointFile
{
    private readonly string _path;
    private readonly string _temporary;

    public CheckpointFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = System.IO.Path.GetFullPath(path);
        _temporary = _path + ".tmp";
    }

    public string Path => _path;

    /// <summary>The recorded position, or null when the file does not exist yet.</summary>
    /// <exception cref="FabricInvokeException">Config: the file exists but is not a checkpoint (naming it).</exception>
    public EventCheckpoint? Load()
    {
        if (!File.Exists(_path))
        {
            return null;
        }

        var text = BoundedFile.ReadText(_path, "checkpoint file", FileLimit.Checkpoint);
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var block = root.GetProperty("block").GetUInt64();
            int? index = root.TryGetProperty("txIndex", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : null;
            string? txId = root.TryGetProperty("txid", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return new EventCheckpoint(block, index, txId);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw Failures.Config(_path, "not a fabinvoke checkpoint file (expected {\"block\":N,\"txIndex\":N,\"txid\":\"…\"}; delete it to start over)", e);
        }
    }

    /// <summary>Records <paramref name="checkpoint"/> durably and atomically.</summary>
    /// <exception cref="FabricInvokeException">Config: the file cannot be written (naming it).</exception>
    public void Save(EventCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var json = new StringBuilder()
            .Append("{\"block\":").Append(checkpoint.Block.ToString(CultureInfo.InvariantCulture))
            .Append(",\"txIndex\":").Append(checkpoint.TxIndex is { } i ? i.ToString(CultureInfo.InvariantCulture) : "null")
            .Append(",\"txid\":").Append(checkpoint.TxId is null ? "null" : JsonSerializer.Serialize(checkpoint.TxId, CoreJsonContext.Default.String))
            .Append("}\n").ToString();
        try
        {
            using (var file = new FileStream(_temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(Encoding.UTF8.GetBytes(json));
                file.Flush(flushToDisk: true);
            }

            File.Move(_temporary, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Config(_path, $"cannot write the checkpoint file ({e.Message})", e);
        }
    }
}

/// <summary>Source-generated JSON for the few values Core writes itself.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class CoreJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
