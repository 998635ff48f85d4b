using System.Globalization;
using System.Text;
using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Hosting;

/// <summary>
/// DevNet's own time per transaction, one line per event, so that a benchmark can tell the network's time from the
/// client's: the orderer received the envelope and answered it, cut its block (how long after the batch timer
/// started, and why), each peer validated it (and wrote it next), and each peer deliver stream sent it. Lines are written in the order
/// the events happen, flushed as they are written:
/// <code>1764680000.123456 received txid=4f0c… node=orderer.example.com</code>
/// The first field is seconds since the Unix epoch with microseconds (the clock a shell's <c>$EPOCHREALTIME</c> and
/// fabinvoke's debug log use), then the event, then <c>key=value</c> fields. Thread-safe; writes after
/// <see cref="Dispose"/> are dropped.
/// </summary>
internal sealed class TransactionTimings : IDisposable
{
    /// <summary>How many recent blocks' txids are kept to name the transactions of a delivered block.</summary>
    private const int KeptBlocks = 256;

    private readonly Lock _gate = new();
    private readonly StreamWriter _writer;
    private readonly TimeProvider _time;
    private readonly Dictionary<ulong, string[]> _txIdsByBlock = [];
    private int _streams;
    private bool _disposed;

    private TransactionTimings(StreamWriter writer, TimeProvider time)
    {
        _writer = writer;
        _time = time;
    }

    /// <summary>Appends to <paramref name="path"/> (created when missing).</summary>
    /// <exception cref="IOException">The file cannot be opened for writing (also <see cref="UnauthorizedAccessException"/>).</exception>
    public static TransactionTimings Open(string path, TimeProvider? time = null)
    {
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new TransactionTimings(new StreamWriter(stream, new UTF8Encoding(false)), time ?? TimeProvider.System);
    }

    /// <summary>A number for a new deliver stream, to tell a peer's streams apart.</summary>
    public int NextStream() => Interlocked.Increment(ref _streams);

    /// <summary>The orderer's Broadcast read an envelope (before any check).</summary>
    public void Received(string txId, string node) => Write("received", $"txid={txId} node={node}");

    /// <summary>The orderer answered the envelope (SUCCESS: it is queued for the next block).</summary>
    public void Answered(string txId, string node, Status status) => Write("answered", $"txid={txId} node={node} status={status}");

    /// <summary>The orderer cut block <paramref name="number"/> from <paramref name="envelopes"/>.</summary>
    /// <param name="timerStarted">The clock's timestamp when the batch timer started (the first envelope of the batch was pending).</param>
    /// <param name="reason"><c>timeout</c>, <c>size</c> or <c>stop</c>.</param>
    public void Cut(ulong number, IReadOnlyList<ByteString> envelopes, string node, long timerStarted, TimeSpan batchTimeout, string reason)
    {
        var after = _time.GetElapsedTime(timerStarted);
        var txIds = envelopes.Select(TxIdOf).ToArray();
        lock (_gate)
        {
            _txIdsByBlock[number] = txIds;
            if (number >= KeptBlocks)
            {
                _txIdsByBlock.Remove(number - KeptBlocks);
            }
        }

        var fields = string.Create(CultureInfo.InvariantCulture,
            $"block={number} node={node} after={after.TotalMilliseconds:0.000}ms batch-timeout={batchTimeout.TotalMilliseconds:0}ms reason={reason} txs={txIds.Length}");
        Write("cut", txIds, fields);
    }

    /// <summary>A peer validated block <paramref name="number"/> and writes it now: its deliver streams send it once written.</summary>
    public void Validated(ulong number, string node) => Write("validated", TxIdsOf(number), $"block={number} node={node}");

    /// <summary>A peer deliver stream handed block <paramref name="number"/> to its connection.</summary>
    public void Delivered(ulong number, string node, int stream) =>
        Write("delivered", TxIdsOf(number), string.Create(CultureInfo.InvariantCulture, $"block={number} node={node} stream={stream}"));

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer.Dispose();
        }
    }

    private static string TxIdOf(ByteString envelope)
    {
        try
        {
            var payload = Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(envelope).Payload);
            return payload.Header is null ? "?" : ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader).TxId;
        }
        catch (InvalidProtocolBufferException)
        {
            return "?";
        }
    }

    private string[] TxIdsOf(ulong number)
    {
        lock (_gate)
        {
            return _txIdsByBlock.GetValueOrDefault(number) ?? [];
        }
    }

    private string Now()
    {
        var micros = (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return string.Create(CultureInfo.InvariantCulture, $"{micros / 1_000_000}.{micros % 1_000_000:D6}");
    }

    private void Write(string name, string fields) => Write(name, null, fields);

    /// <summary>
    /// One line per transaction (or one line when <paramref name="txIds"/> is null: the fields name it), stamped under
    /// the lock so that the file's order is the clock's.
    /// </summary>
    private void Write(string name, IReadOnlyList<string>? txIds, string fields)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var at = Now();
            try
            {
                if (txIds is null)
                {
                    _writer.WriteLine($"{at} {name} {fields}");
                }
                else
                {
                    foreach (var txId in txIds)
                    {
                        _writer.WriteLine($"{at} {name} txid={txId} {fields}");
                    }
                }

                _writer.Flush();
            }
            catch (IOException)
            {
                // A full disk must not stop the network the timings describe.
            }
        }
    }
}
