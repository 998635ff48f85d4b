using System.Collections.Concurrent;
using FabricInvoke.DevNet.Chaincode;
using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Peer;

/// <summary>
/// One peer joined to the channel: its identity, block store, world state and committer. Blocks arrive from the
/// orderer through <see cref="Commit"/>; each peer validates them independently and stamps its own TRANSACTIONS_FILTER.
/// A block is delivered only once written. When the peer cannot write (disk full), it says so at once (diagnostics),
/// refuses proposals (<see cref="Unavailable"/>), keeps the blocks it received in order, and retries them with
/// backoff on its own until they are written — the orderer and the other peers carry on meanwhile.
/// </summary>
internal sealed class DevPeerNode : IDisposable
{
    private readonly Lock _commitGate = new();
    private readonly ConcurrentDictionary<string, byte> _txIds = new(StringComparer.Ordinal);
    private readonly BlockValidator _validator;
    private readonly DiagnosticSink _diagnostics;
    private readonly Queue<Block> _unwritten = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _retry = Task.CompletedTask;
    private volatile string? _unavailable;

    public DevPeerNode(string channelId, NodeMaterial identity, string tlsRootCertFile, MspRegistry msp, BlockStore blocks, PeerFaults faults, DiagnosticSink? diagnostics = null)
    {
        ChannelId = channelId;
        Identity = identity;
        TlsRootCertFile = tlsRootCertFile;
        Msp = msp;
        Blocks = blocks;
        Faults = faults;
        _diagnostics = diagnostics ?? DiagnosticSink.None;
        _validator = new BlockValidator(msp, channelId);

        var state = State.Snapshot.SetItem(TxSimulator.DefinitionKey, new VersionedValue(ByteString.CopyFromUtf8("1"), 0, 0));
        var known = new List<string>();
        for (ulong number = 0; number < blocks.Height; number++)
        {
            state = BlockValidator.Replay(blocks.Get(number)!, state, known);
        }

        foreach (var txId in known)
        {
            _txIds.TryAdd(txId, 0);
        }

        State.Publish(state);
    }

    public string ChannelId { get; }

    public NodeMaterial Identity { get; }

    public string Name => Identity.Name;

    public string TlsRootCertFile { get; }

    public MspRegistry Msp { get; }

    public BlockStore Blocks { get; }

    public WorldState State { get; } = new();

    public PeerFaults Faults { get; }

    /// <summary>Where the network's own time per transaction is recorded (devnet up --timings), or null.</summary>
    public TransactionTimings? Timings { get; init; }

    /// <summary>Why this peer refuses proposals now (its ledger cannot be written), or null when it is healthy.</summary>
    public string? Unavailable => _unavailable;

    /// <summary>The number of the next block this peer expects from the orderer (written or still waiting to be written).</summary>
    public ulong ReceivedHeight
    {
        get
        {
            lock (_commitGate)
            {
                return Blocks.Height + (ulong)_unwritten.Count;
            }
        }
    }

    /// <summary>True when a transaction with this ID is on this peer's ledger (valid or not).</summary>
    public bool HasTransaction(string txId) => _txIds.ContainsKey(txId);

    /// <summary>Validates and commits the orderer's block <paramref name="ordered"/> (which is not modified).</summary>
    public void Commit(Block ordered)
    {
        lock (_commitGate)
        {
            if (ordered.Header.Number != Blocks.Height + (ulong)_unwritten.Count)
            {
                return;
            }

            var validation = _validator.Validate(ordered, State.Snapshot, HasTransaction, Faults.ForceValidationCode);
            var block = ordered.Clone();
            while (block.Metadata.Metadata.Count < 5)
            {
                block.Metadata.Metadata.Add(ByteString.Empty);
            }

            block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter] =
                ByteString.CopyFrom(validation.Codes.Select(c => (byte)c).ToArray());
            foreach (var txId in validation.TxIds)
            {
                _txIds.TryAdd(txId, 0);
            }

            // State first, then the block: a client that sees the block can immediately read its writes. While blocks
            // wait to be written the state is ahead of the file, which is why proposals are refused meanwhile.
            State.Publish(validation.State);
            if (_unwritten.Count == 0)
            {
                try
                {
                    Timings?.Validated(ordered.Header.Number, Name);
                    Blocks.Append(block);
                    return;
                }
                catch (IOException e)
                {
                    _unavailable = $"cannot persist blocks ({e.Message})";
                    _diagnostics.Report(DevNetDiagnosticKind.LedgerWriteFailed, Name,
                        $"{Name}: {e.Message}; refusing proposals (SERVICE_UNAVAILABLE) and retrying until the ledger can be written");
                    _retry = Task.Run(() => RetryAsync(_stop.Token));
                }
            }

            _unwritten.Enqueue(block);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _retry.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Cancelled: the unwritten blocks are still in the orderer's ledger, and are committed again on the next start.
        }

        _stop.Dispose();
        Blocks.Dispose();
        Identity.Dispose();
    }

    private async Task RetryAsync(CancellationToken cancellationToken)
    {
        var delay = WriteRetry.First;
        while (true)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = WriteRetry.Next(delay);
            lock (_commitGate)
            {
                try
                {
                    while (_unwritten.TryPeek(out var next))
                    {
                        Blocks.Append(next);
                        _unwritten.Dequeue();
                    }
                }
                catch (IOException e)
                {
                    _unavailable = $"cannot persist blocks ({e.Message})";
                    continue;
                }

                _unavailable = null;
                _diagnostics.Report(DevNetDiagnosticKind.LedgerWriteRecovered, Name,
                    $"{Name}: caught up writing blocks to {Blocks.Path} (height {Blocks.Height}); the ledger is writable again and proposals are accepted");
                return;
            }
        }
    }
}
