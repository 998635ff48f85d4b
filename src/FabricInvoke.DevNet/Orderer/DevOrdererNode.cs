using System.Threading.Channels;
using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Peer;
using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Orderer;

/// <summary>
/// The single (solo-style) orderer: accepts envelopes, cuts a block when BatchSize envelopes are pending or
/// BatchTimeout after the first pending one, appends it to its own chain and hands it to every peer.
/// A block is handed on only once it is written. When it cannot be written (disk full), the orderer says so at once
/// (diagnostics), answers new broadcasts SERVICE_UNAVAILABLE, and retries the same block with backoff until the write
/// succeeds; then it hands the block on and accepts transactions again.
/// </summary>
internal sealed class DevOrdererNode : IAsyncDisposable
{
    /// <summary>How long a stopping orderer keeps trying to write the transactions it accepted.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How many txids <see cref="Deduplicate"/> remembers (then it starts afresh).</summary>
    private const int MaxRemembered = 100_000;

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Channel<ByteString> _pending = Channel.CreateUnbounded<ByteString>(new UnboundedChannelOptions { SingleReader = true });
    private readonly BlockFactory _factory;
    private readonly IReadOnlyList<DevPeerNode> _peers;
    private readonly TimeSpan _batchTimeout;
    private readonly int _batchSize;
    private readonly DiagnosticSink _diagnostics;
    private readonly CancellationTokenSource _stop = new();
    private Task _cutter = Task.CompletedTask;
    private volatile string? _unavailable;
    private ulong _lastConfig;

    public DevOrdererNode(
        string channelId,
        NodeMaterial identity,
        string tlsRootCertFile,
        MspRegistry msp,
        BlockStore blocks,
        OrdererFaults faults,
        IReadOnlyList<DevPeerNode> peers,
        TimeSpan batchTimeout,
        int batchSize,
        DiagnosticSink? diagnostics = null)
    {
        ChannelId = channelId;
        Identity = identity;
        TlsRootCertFile = tlsRootCertFile;
        Msp = msp;
        Blocks = blocks;
        Faults = faults;
        _peers = peers;
        _batchTimeout = batchTimeout;
        _batchSize = batchSize;
        _diagnostics = diagnostics ?? DiagnosticSink.None;
        _factory = new BlockFactory(identity, channelId);
    }

    public string ChannelId { get; }

    public NodeMaterial Identity { get; }

    public string Name => Identity.Name;

    public string TlsRootCertFile { get; }

    public MspRegistry Msp { get; }

    public BlockStore Blocks { get; }

    public OrdererFaults Faults { get; }

    /// <summary>Where the network's own time per transaction is recorded (devnet up --timings), or null; the orderer closes it when it stops.</summary>
    public TransactionTimings? Timings { get; init; }

    /// <summary>Why the orderer cannot order now (its ledger cannot be written, or block cutting failed), or null when it can.</summary>
    public string? Unavailable => _unavailable;

    /// <summary>The channel configuration in force (the last config block's), once <see cref="Start"/> has run.</summary>
    public Config? Config { get; private set; }

    /// <summary>
    /// Makes <paramref name="desired"/> the channel's configuration — the genesis block of a new chain, or a config
    /// block (sequence + 1) when the chain's last configuration differs (endpoints moved, another batch size…) —
    /// brings every peer up to the orderer's height, then starts cutting blocks.
    /// </summary>
    /// <exception cref="IOException">The block cannot be written.</exception>
    public void Start(Config desired)
    {
        EnsureConfig(desired);
        foreach (var peer in _peers)
        {
            for (var number = peer.ReceivedHeight; number < Blocks.Height; number++)
            {
                peer.Commit(Blocks.Get(number)!);
            }
        }

        _cutter = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>
    /// Several orderers feed this block cutter (a BFT-like network): a transaction that one of them handed on already
    /// is not ordered again (<see cref="Enqueue"/> drops it), as a BFT cluster orders each request once.
    /// </summary>
    public bool Deduplicate { get; init; }

    /// <summary>Queues an accepted envelope for the next block (once per <paramref name="txId"/> with <see cref="Deduplicate"/>); false when the orderer is stopping.</summary>
    public bool Enqueue(ByteString envelope, string? txId = null)
    {
        if (Deduplicate && !string.IsNullOrEmpty(txId))
        {
            lock (_seen)
            {
                if (_seen.Count >= MaxRemembered)
                {
                    _seen.Clear();
                }

                if (!_seen.Add(txId))
                {
                    return !_pending.Reader.Completion.IsCompleted;
                }
            }
        }

        return _pending.Writer.TryWrite(envelope);
    }

    /// <summary>
    /// Cuts what is still pending into a last block (an envelope answered SUCCESS is never dropped by a clean stop),
    /// waits at most <see cref="DrainTimeout"/> for that (it cannot finish while the ledger cannot be written), then stops.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        // A completed channel makes the cutter cut the pending batch at once, then end.
        _pending.Writer.TryComplete();
        try
        {
            await _cutter.WaitAsync(DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _diagnostics.Report(DevNetDiagnosticKind.NodeFailed, Name,
                $"{Name}: stopped before it could write its pending transactions ({_unavailable ?? "block cutting did not finish"})");
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _cutter.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected on shutdown.
        }

        _stop.Dispose();
        Timings?.Dispose();
        Blocks.Dispose();
        Identity.Dispose();
    }

    private void EnsureConfig(Config desired)
    {
        if (Blocks.Height == 0)
        {
            var genesis = desired.Clone();
            genesis.Sequence = 0;
            Blocks.Append(_factory.Genesis(genesis));
            (_lastConfig, Config) = (0, genesis);
            return;
        }

        var last = Blocks.Last()!;
        var configBlock = ConfigBlocks.LastConfigBlock(last, Blocks.Get);
        var current = configBlock is null ? null : ConfigBlocks.ConfigOf(configBlock);
        if (current is not null && current.ChannelGroup.Equals(desired.ChannelGroup))
        {
            (_lastConfig, Config) = (configBlock!.Header.Number, current);
            return;
        }

        // A chain from an older DevNet (a genesis block without a configuration) counts as sequence 0.
        var next = desired.Clone();
        next.Sequence = (current?.Sequence ?? 0) + 1;
        var block = _factory.ConfigBlock(last, next);
        Blocks.Append(block);
        (_lastConfig, Config) = (block.Header.Number, next);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CutBlocksAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown.
        }
#pragma warning disable CA1031 // Whatever stops block cutting must be said at once and refuse transactions, never leave clients waiting silently.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _unavailable = $"block cutting stopped ({e.GetType().Name}: {e.Message})";
            _diagnostics.Report(DevNetDiagnosticKind.NodeFailed, Name,
                $"{Name}: {_unavailable}; refusing transactions (SERVICE_UNAVAILABLE) until the network is restarted");
        }
    }

    private async Task CutBlocksAsync(CancellationToken cancellationToken)
    {
        var reader = _pending.Reader;
        var batch = new List<ByteString>(_batchSize);
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var timerStarted = TimeProvider.System.GetTimestamp();
            var reason = "stop";
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_batchTimeout);
            try
            {
                while (batch.Count < _batchSize)
                {
                    if (reader.TryRead(out var envelope))
                    {
                        batch.Add(envelope);
                        continue;
                    }

                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }

                reason = batch.Count >= _batchSize ? "size" : reason;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // BatchTimeout elapsed: cut what is pending.
                reason = "timeout";
            }

            if (batch.Count > 0)
            {
                await CutAsync(batch, timerStarted, reason, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
    }

    private async Task CutAsync(IReadOnlyList<ByteString> envelopes, long timerStarted, string reason, CancellationToken cancellationToken)
    {
        var block = _factory.Next(Blocks.Last()!, envelopes, _lastConfig);
        Timings?.Cut(block.Header.Number, envelopes, Name, timerStarted, _batchTimeout, reason);
        var delay = WriteRetry.First;
        while (true)
        {
            try
            {
                Blocks.Append(block);
                break;
            }
            catch (IOException e)
            {
                if (_unavailable is null)
                {
                    _unavailable = $"cannot persist blocks ({e.Message})";
                    _diagnostics.Report(DevNetDiagnosticKind.LedgerWriteFailed, Name,
                        $"{Name}: {e.Message}; refusing transactions (SERVICE_UNAVAILABLE) and retrying until the ledger can be written");
                }
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = WriteRetry.Next(delay);
        }

        if (_unavailable is not null)
        {
            _unavailable = null;
            _diagnostics.Report(DevNetDiagnosticKind.LedgerWriteRecovered, Name,
                $"{Name}: wrote block {block.Header.Number} to {Blocks.Path}; the ledger is writable again and transactions are accepted");
        }

        // Each peer validates the block on its own, as Fabric peers do; in parallel, so that a network of many peers does
        // not add its peers' validation times up in front of the last one's delivery (visible with devnet up --timings).
        if (_peers.Count == 1)
        {
            _peers[0].Commit(block);
            return;
        }

        try
        {
            Parallel.ForEach(_peers, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, peer => peer.Commit(block));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }
}
