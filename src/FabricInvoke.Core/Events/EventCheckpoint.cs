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
    internal bool Covers(ulong block, int? index, string txId) =>
        block < Block || (block == Block && (index is { } i && TxIndex is { } last ? i <= last : TxId is not null && TxId == txId));
}

/// <summary>
/// What a checkpoint belongs to: the command that wrote it, the channel, the chaincode and event names (chaincode
/// events), the path the events came by (<c>deliver</c>: blocks from a peer's Deliver service; <c>gateway</c>: a
/// peer Gateway's ChaincodeEvents), and the file the events were written to (null: stdout). Reused for another stream
/// it would skip or repeat events, so a run compares it with its own before anything is printed.
/// </summary>
internal sealed record EventStreamBinding(string Command, string Channel, string? Chaincode, IReadOnlyList<string> Events, string Path, string? OutputFile)
{
    /// <summary>What differs between this binding (the checkpoint's) and <paramref name="run"/>'s, one phrase each; empty when they match.</summary>
    public IReadOnlyList<string> Differences(EventStreamBinding run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var differences = new List<string>();
        Compare("command", Command, run.Command);
        Compare("channel", Channel, run.Channel);
        Compare("chaincode", Chaincode, run.Chaincode);
        Compare("event names", Names(Events), Names(run.Events));
        Compare("path", Path, run.Path);
        Compare("output", OutputFile ?? "stdout", run.OutputFile ?? "stdout");
        return differences;

        void Compare(string what, string? recorded, string? now)
        {
            if (!string.Equals(recorded, now, StringComparison.Ordinal))
            {
                differences.Add($"{what}: checkpoint '{recorded ?? "(none)"}', this run '{now ?? "(none)"}'");
            }
        }

        static string Names(IReadOnlyList<string> names) => names.Count == 0 ? "(all)" : string.Join(",", names.Order(StringComparer.Ordinal));
    }
}

/// <summary>
/// A checkpoint file's content: the position, and (the current format) the stream it belongs to, the chain's identity
/// (its genesis block's header hash, hex) and, when events go to a file, that file's length after the last event.
/// An old-format file (written before the stream was recorded) has only the position: <see cref="Stream"/> is null.
/// </summary>
internal sealed record CheckpointRecord(EventCheckpoint Position, EventStreamBinding? Stream, string? Genesis, long? OutputLength);

/// <summary>
/// The checkpoint file: a small JSON object, replaced atomically after each emitted event (written to a temporary
/// file beside it, flushed to disk, renamed over it), so a process killed at any moment leaves the last good one.
/// While a stream runs, <c>FILE.lock</c> beside it is held with an exclusive lock (see <see cref="Lock"/>).
/// </summary>
internal sealed class CheckpointFile
{
    /// <summary>The current format's tag (the <c>format</c> member).</summary>
    public const string Format = "fabinvoke-events-checkpoint/2";

    private readonly string _path;
    private readonly string _temporary;

    public CheckpointFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = System.IO.Path.GetFullPath(path);
        _temporary = _path + ".tmp";
    }

    public string Path => _path;

    /// <summary>The lock file beside the checkpoint.</summary>
    public string LockPath => _path + ".lock";

    /// <summary>
    /// Checks that the checkpoint can be used — its folder exists, it is not a directory — and takes an exclusive lock
    /// on <see cref="LockPath"/> (created if needed) until the returned handle is disposed; a second stream on the
    /// same checkpoint is refused here, before it reads anything.
    /// </summary>
    /// <exception cref="FabricInvokeException">Config, naming the file: a directory, a missing folder, the lock held or not creatable.</exception>
    public IDisposable Lock()
    {
        if (Directory.Exists(_path))
        {
            throw Failures.Config(_path, "the checkpoint is a directory, not a file");
        }

        var folder = System.IO.Path.GetDirectoryName(_path);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw Failures.Config(_path, $"the checkpoint's folder {folder} does not exist");
        }

        var existed = File.Exists(LockPath);
        try
        {
            // On Unix, .NET takes an advisory exclusive lock (flock) for FileShare.None; it goes with the process.
            return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (existed && e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw Failures.Config(_path, $"the checkpoint is in use by another running fabinvoke events (its lock {LockPath} is held)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Config(_path, $"cannot create the checkpoint's lock file {LockPath} ({e.Message})", e);
        }
    }

    /// <summary>The recorded checkpoint, or null when the file does not exist yet.</summary>
    /// <exception cref="FabricInvokeException">Config: the file exists but is not a checkpoint (naming it).</exception>
    public CheckpointRecord? Load()
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
            var position = new EventCheckpoint(block, index, txId);
            if (!root.TryGetProperty("format", out var format))
            {
                return new CheckpointRecord(position, null, null, null);
            }

            if (format.GetString() != Format)
            {
                throw new FormatException($"unknown format '{format.GetString()}'");
            }

            var stream = new EventStreamBinding(
                root.GetProperty("command").GetString()!,
                root.GetProperty("channel").GetString()!,
                OptionalString(root, "chaincode"),
                root.GetProperty("events").EnumerateArray().Select(e => e.GetString()!).ToList(),
                root.GetProperty("path").GetString()!,
                OptionalString(root, "outputFile"));
            long? length = root.TryGetProperty("outputLength", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt64() : null;
            return new CheckpointRecord(position, stream, root.GetProperty("genesis").GetString(), length);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or ArgumentNullException)
        {
            throw Failures.Config(_path, "not a fabinvoke checkpoint file (expected the JSON object fabinvoke events writes; delete it to start over)", e);
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Records <paramref name="record"/> durably and atomically (in the current format: its stream must be known).</summary>
    /// <exception cref="FabricInvokeException">Config: the file cannot be written (naming it).</exception>
    public void Save(CheckpointRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stream = record.Stream ?? throw new ArgumentException("a checkpoint is saved with its stream", nameof(record));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("command", stream.Command);
            json.WriteString("channel", stream.Channel);
            WriteOptional(json, "chaincode", stream.Chaincode);
            json.WriteStartArray("events");
            foreach (var name in stream.Events.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteString("path", stream.Path);
            WriteOptional(json, "genesis", record.Genesis);
            WriteOptional(json, "outputFile", stream.OutputFile);
            if (record.OutputLength is { } length)
            {
                json.WriteNumber("outputLength", length);
            }
            else
            {
                json.WriteNull("outputLength");
            }

            json.WriteNumber("block", record.Position.Block);
            if (record.Position.TxIndex is { } index)
            {
                json.WriteNumber("txIndex", index);
            }
            else
            {
                json.WriteNull("txIndex");
            }

            WriteOptional(json, "txid", record.Position.TxId);
            json.WriteEndObject();
        }

        try
        {
            using (var file = new FileStream(_temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(buffer.WrittenSpan);
                file.Write("\n"u8);
                file.Flush(flushToDisk: true);
            }

            File.Move(_temporary, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Config(_path, $"cannot write the checkpoint file ({e.Message})", e);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
