using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Batch;

/// <summary>A transaction the journal says was (about to be) broadcast for a line.</summary>
/// <param name="Height">The newest block seen when it was journalled: it can only be in a later block.</param>
/// <param name="Envelope">The signed transaction envelope, byte for byte: a resumed run resubmits exactly this.</param>
internal sealed record JournalSent(long Line, string TxId, string Digest, ulong Height, byte[] Envelope);

/// <summary>A journalled outcome of a line's transaction.</summary>
/// <param name="Status">"VALID", a validation code, or "FAILED" (never ordered: the line may be tried again under a new txid).</param>
internal sealed record JournalResult(long Line, string TxId, string Status, ulong? Block, string? Peer = null);

/// <summary>What a journal says of the lines of an earlier run.</summary>
internal sealed class JournalState
{
    /// <summary>Lines whose last transaction has a journalled result.</summary>
    public Dictionary<long, JournalResult> Results { get; } = [];

    /// <summary>Lines whose last transaction was journalled for broadcast but has no result: to be looked up.</summary>
    public Dictionary<long, JournalSent> Pending { get; } = [];

    /// <summary>True when nothing was journalled for any line.</summary>
    public bool IsEmpty => Results.Count == 0 && Pending.Count == 0;
}

/// <summary>
/// A batch's journal: append-only JSON Lines. The first record names the input (line count and SHA-256); then, per
/// transaction, a <c>sent</c> record (line, txid, SHA-256 of the signed envelope, the height seen, the envelope itself)
/// written and fsynced BEFORE the envelope is broadcast, and a <c>result</c> record once its fate is known. Records
/// are written by one writer in group commits: every record waiting when the disk is synced is made durable by that one
/// fsync, so concurrency does not cost one fsync per transaction. A torn last line (power lost mid-write) is dropped
/// on open; anything else that does not read is refused.
/// </summary>
internal sealed class BatchJournal : IAsyncDisposable
{
    private const int Version = 1;
    private readonly FileStream _file;
    private readonly Channel<(byte[] Bytes, TaskCompletionSource? Durable)> _queue =
        Channel.CreateUnbounded<(byte[], TaskCompletionSource?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private Exception? _fault;

    private BatchJournal(string path, FileStream file, JournalState state)
    {
        Path = path;
        _file = file;
        State = state;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>What an earlier run journalled (empty for a new journal).</summary>
    public JournalState State { get; }

    /// <summary>
    /// Opens (or creates) the journal of a batch over the input described by <paramref name="lines"/> and
    /// <paramref name="inputSha256"/>. An existing journal of another input is refused.
    /// </summary>
    /// <exception cref="FabricInvokeException">Config: the file cannot be opened or written, is in use, does not read as a journal, or is another input's.</exception>
    public static async Task<BatchJournal> OpenAsync(string path, long lines, string inputSha256, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            // FileShare.None: an exclusive lock (flock), so two runs cannot use one journal at once; SIGKILL releases it.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Config(path, $"cannot open the batch journal ({e.Message})", e);
        }

        try
        {
            var state = new JournalState();
            var (end, input) = Read(path, file, state);
            if (input is null)
            {
                if (!state.IsEmpty)
                {
                    throw Failures.Config(path, "the batch journal has no input record (not a fabinvoke journal?)");
                }

                file.SetLength(0);
                file.Position = 0;
            }
            else
            {
                if (input.Value.Lines != lines || !string.Equals(input.Value.Sha256, inputSha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw Failures.Config(path,
                        $"the input changed since the batch journal was written (journal: {input.Value.Lines} lines, sha256 {Short(input.Value.Sha256)}; input now: {lines} lines, sha256 {Short(inputSha256)}); resume with the same input, or use a new journal");
                }

                // A torn last record (power lost mid-write) is dropped: the next record starts on a line of its own.
                file.SetLength(end);
                file.Position = end;
            }

            var journal = new BatchJournal(path, file, state);
            if (input is null)
            {
                await journal.AppendAsync(Record(w =>
                {
                    w.WriteString("t", "input");
                    w.WriteNumber("version", Version);
                    w.WriteNumber("lines", lines);
                    w.WriteString("sha256", inputSha256);
                }), durable: true).WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return journal;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw Failures.Config(path, $"cannot read the batch journal ({e.Message})", e);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Journals a transaction about to be broadcast; returns once it is on disk (fsynced).</summary>
    /// <exception cref="FabricInvokeException">Config: the journal cannot be written.</exception>
    public Task SentAsync(long line, string txId, byte[] envelope, ulong height)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(envelope));
        return AppendAsync(Record(w =>
        {
            w.WriteString("t", "sent");
            w.WriteNumber("line", line);
            w.WriteString("txid", txId);
            w.WriteString("digest", digest);
            w.WriteNumber("height", height);
            w.WriteBase64String("envelope", envelope);
        }), durable: true);
    }

    /// <summary>Journals a transaction's outcome (written at once; on disk with the next sync).</summary>
    /// <exception cref="FabricInvokeException">Config: the journal cannot be written.</exception>
    public Task ResultAsync(long line, string txId, string status, ulong? block, string? peer) =>
        AppendAsync(Record(w =>
        {
            w.WriteString("t", "result");
            w.WriteNumber("line", line);
            w.WriteString("txid", txId);
            w.WriteString("status", status);
            if (block is { } b)
            {
                w.WriteNumber("block", b);
            }

            if (peer is not null)
            {
                w.WriteString("peer", peer);
            }
        }), durable: false);

    private Task AppendAsync(byte[] record, bool durable)
    {
        if (_fault is { } fault)
        {
            throw Failures.Config(Path, $"cannot write the batch journal ({fault.Message})", fault);
        }

        var done = durable ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        if (!_queue.Writer.TryWrite((record, done)))
        {
            throw Failures.Config(Path, "the batch journal is closed");
        }

        return done?.Task ?? Task.CompletedTask;
    }

    private async Task WriteLoopAsync()
    {
        var waiting = new List<TaskCompletionSource>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            waiting.Clear();
            var sync = false;
            try
            {
                while (_queue.Reader.TryRead(out var item))
                {
                    if (_fault is null)
                    {
                        _file.Write(item.Bytes);
                    }

                    if (item.Durable is { } d)
                    {
                        waiting.Add(d);
                        sync = true;
                    }
                }

                if (_fault is null)
                {
                    // Flush(true): the data reaches the disk (fsync) before any waiting broadcast goes out.
                    _file.Flush(flushToDisk: sync);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                _fault ??= e;
            }

            foreach (var d in waiting)
            {
                if (_fault is { } f)
                {
                    d.TrySetException(Failures.Config(Path, $"cannot write the batch journal ({f.Message})", f));
                }
                else
                {
                    d.TrySetResult();
                }
            }
        }
    }

    private static byte[] Record(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads every complete record; returns the length of the file up to the last good one, and the input record.</summary>
    private static (long End, (long Lines, string Sha256)? Input) Read(string path, FileStream file, JournalState state)
    {
        file.Position = 0;
        (long, string)? input = null;
        long end = 0;
        long offset = 0;
        long badAt = -1;
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[1 << 16];
        int n;
        var lineNumber = 0L;
        while ((n = file.Read(chunk)) > 0)
        {
            var span = chunk.AsSpan(0, n);
            while (span.Length > 0)
            {
                var nl = span.IndexOf((byte)'\n');
                if (nl < 0)
                {
                    pending.Write(span);
                    offset += span.Length;
                    break;
                }

                pending.Write(span[..nl]);
                offset += nl + 1;
                span = span[(nl + 1)..];
                lineNumber++;
                if (Parse(pending.WrittenSpan, state, ref input))
                {
                    if (badAt >= 0)
                    {
                        throw Failures.Config(path, $"the batch journal is damaged at record {badAt} (a record that does not read, followed by good ones)");
                    }

                    end = offset;
                }
                else if (badAt < 0)
                {
                    badAt = lineNumber;
                }

                pending.Clear();
            }
        }

        // What follows the last newline (if anything) is a torn record: dropped.
        return (end, input);
    }

    private static bool Parse(ReadOnlySpan<byte> line, JournalState state, ref (long, string)? input)
    {
        if (line.IsEmpty)
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(line.ToArray());
            var r = doc.RootElement;
            switch (r.GetProperty("t").GetString())
            {
                case "input":
                    input = (r.GetProperty("lines").GetInt64(), r.GetProperty("sha256").GetString()!);
                    return true;
                case "sent":
                    var sent = new JournalSent(
                        r.GetProperty("line").GetInt64(), r.GetProperty("txid").GetString()!, r.GetProperty("digest").GetString()!,
                        r.GetProperty("height").GetUInt64(), r.GetProperty("envelope").GetBytesFromBase64());
                    if (!state.Results.TryGetValue(sent.Line, out var done) || done.Status != "VALID")
                    {
                        state.Pending[sent.Line] = sent;
                    }

                    return true;
                case "result":
                    var result = new JournalResult(
                        r.GetProperty("line").GetInt64(), r.GetProperty("txid").GetString()!, r.GetProperty("status").GetString()!,
                        r.TryGetProperty("block", out var b) ? b.GetUInt64() : null,
                        r.TryGetProperty("peer", out var peer) ? peer.GetString() : null);
                    if (state.Pending.TryGetValue(result.Line, out var p) && p.TxId == result.TxId)
                    {
                        state.Pending.Remove(result.Line);
                    }

                    if (!state.Results.TryGetValue(result.Line, out var earlier) || earlier.Status != "VALID")
                    {
                        state.Results[result.Line] = result;
                    }

                    return true;
                default:
                    return false;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;

    /// <summary>Writes what is queued, syncs it to disk and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        try
        {
            _file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Reported already to whoever waited; the next run looks up what was not recorded.
        }

        await _file.DisposeAsync().ConfigureAwait(false);
    }
}
