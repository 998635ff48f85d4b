using System.Threading.Channels;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

namespace FabricInvoke.Core.Batch;

/// <summary>
/// The commit wait of a batch: ONE DeliverFiltered stream per peer, opened once and shared by every transaction, each
/// block's txids matched against the transactions registered (<see cref="Register"/>, before their broadcast). A txid
/// seen in a block before it was registered still resolves (the last few thousand txids seen are remembered). A stream
/// that breaks is opened again from the block after the last one it delivered, so no block is missed; the waits
/// meanwhile are bounded by their own timeout.
/// </summary>
internal sealed class CommitDispatcher : IAsyncDisposable
{
    private const int RecentCapacity = 8192;
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(250);

    private readonly IReadOnlyList<DeliverClient> _clients;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CommitWaiter> _waiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PeerCommit>> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();
    private readonly ulong?[] _lastBlock;
    private readonly string?[] _lastFault;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly List<Task> _readers = [];

    public CommitDispatcher(IReadOnlyList<PeerNode> peers, SigningIdentity signer, string channelId, bool bindTlsCertHash)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentOutOfRangeException.ThrowIfZero(peers.Count);
        _clients = peers.Select(p => new DeliverClient(p, signer, channelId, bindTlsCertHash)).ToList();
        _lastBlock = new ulong?[peers.Count];
        _lastFault = new string?[peers.Count];
        _time = peers[0].Connection.Time;
    }

    /// <summary>The peers whose streams are read, in order.</summary>
    public IReadOnlyList<string> Addresses => _clients.Select(c => c.Address).ToList();

    /// <summary>The lowest block number every stream has delivered (a transaction broadcast now lands after it); null before any.</summary>
    public ulong? Height
    {
        get
        {
            lock (_gate)
            {
                return _lastBlock.All(b => b.HasValue) ? _lastBlock.Min() : null;
            }
        }
    }

    /// <summary>
    /// Opens every peer's stream. From <see cref="SeekFrom.Newest"/>: returns once each peer answered with its newest
    /// block, so a transaction broadcast afterwards cannot be missed. From a block number: returns at once (every block
    /// from there on will be delivered whenever it exists).
    /// </summary>
    /// <exception cref="FabricInvokeException">Connection (a peer unreachable) or Deliver (a status before the first block).</exception>
    public async Task StartAsync(SeekFrom start, CancellationToken cancellationToken)
    {
        var opened = new BlockStream?[_clients.Count];
        try
        {
            if (start.Kind == SeekPosition.TypeOneofCase.Newest)
            {
                await Task.WhenAll(_clients.Select(async (client, i) =>
                {
                    var (stream, first) = await OpenFirstAsync(client, SeekFrom.Newest, cancellationToken).ConfigureAwait(false);
                    opened[i] = stream;
                    Deliver(i, first);
                })).ConfigureAwait(false);
            }
            else
            {
                for (var i = 0; i < _clients.Count; i++)
                {
                    opened[i] = _clients[i].Open(start, BlockKind.Filtered, CancellationToken.None);
                    if (start.Number > 0)
                    {
                        _lastBlock[i] = start.Number - 1;
                    }
                }
            }
        }
        catch
        {
            foreach (var s in opened)
            {
                s?.Dispose();
            }

            throw;
        }

        for (var i = 0; i < _clients.Count; i++)
        {
            var index = i;
            _readers.Add(Task.Run(() => ReadLoopAsync(index, opened[index]!, _stop.Token), CancellationToken.None));
        }
    }

    /// <summary>Registers <paramref name="txId"/> (before its broadcast): its reports from every peer go to the waiter.</summary>
    public CommitWaiter Register(string txId)
    {
        var waiter = new CommitWaiter(this, txId);
        lock (_gate)
        {
            _waiters[txId] = waiter;
            if (_recent.TryGetValue(txId, out var seen))
            {
                foreach (var commit in seen)
                {
                    waiter.Report(commit);
                }
            }
        }

        return waiter;
    }

    internal void Unregister(CommitWaiter waiter)
    {
        lock (_gate)
        {
            if (_waiters.TryGetValue(waiter.TxId, out var current) && ReferenceEquals(current, waiter))
            {
                _waiters.Remove(waiter.TxId);
            }
        }
    }

    /// <summary>The last problem a peer's stream had (it is being opened again), for a timeout's message; null when none.</summary>
    internal string? FaultOf(string address)
    {
        lock (_gate)
        {
            var i = _clients.ToList().FindIndex(c => c.Address == address);
            return i < 0 ? null : _lastFault[i];
        }
    }

    private async Task ReadLoopAsync(int index, BlockStream stream, CancellationToken cancellationToken)
    {
        var client = _clients[index];
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                while (true)
                {
                    var block = await stream.NextAsync(cancellationToken).ConfigureAwait(false);
                    Deliver(index, block);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is RpcException or DeliverFault or OperationCanceledException)
            {
                lock (_gate)
                {
                    _lastFault[index] = e is DeliverFault f ? f.Problem : e.Message;
                }
            }
            finally
            {
                stream.Dispose();
            }

            // Opened again from the block after the last one delivered: nothing is missed, nothing counted twice.
            try
            {
                await Task.Delay(ReconnectDelay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            ulong? last;
            lock (_gate)
            {
                last = _lastBlock[index];
            }

            stream = client.Open(last is { } n ? SeekFrom.Block(n + 1) : SeekFrom.Newest, BlockKind.Filtered, CancellationToken.None);
        }
    }

    private void Deliver(int index, DeliveredBlock block)
    {
        var address = _clients[index].Address;
        lock (_gate)
        {
            _lastBlock[index] = block.Number;
            _lastFault[index] = null;
            foreach (var tx in block.Transactions)
            {
                if (string.IsNullOrEmpty(tx.TxId))
                {
                    continue;
                }

                var commit = new PeerCommit(address, tx.ValidationCode, block.Number, TimeSpan.Zero);
                if (_waiters.TryGetValue(tx.TxId, out var waiter))
                {
                    waiter.Report(commit);
                }

                Remember(tx.TxId, commit);
            }
        }
    }

    private void Remember(string txId, PeerCommit commit)
    {
        if (!_recent.TryGetValue(txId, out var list))
        {
            if (_recentOrder.Count >= RecentCapacity)
            {
                _recent.Remove(_recentOrder.Dequeue());
            }

            _recent[txId] = list = [];
            _recentOrder.Enqueue(txId);
        }

        // A peer's first report is the one that counts (a later copy of the same txid is DUPLICATE_TXID).
        if (!list.Exists(c => c.Address == commit.Address))
        {
            list.Add(commit);
        }
    }

    private static async Task<(BlockStream Stream, DeliveredBlock First)> OpenFirstAsync(DeliverClient client, SeekFrom start, CancellationToken cancellationToken)
    {
        try
        {
            return await ConnectRetry.RunAsync(async () =>
            {
                var stream = client.Open(start, BlockKind.Filtered, CancellationToken.None);
                try
                {
                    return (stream, await stream.NextAsync(cancellationToken).ConfigureAwait(false));
                }
                catch
                {
                    stream.Dispose();
                    throw;
                }
            }, client.Peer.Connection, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
        {
            throw Failures.Connection("peer", client.Address, RpcFailure.Describe(e, client.Peer.Connection), e, needsClientCertificate: RpcFailure.NeedsClientCertificate(e, client.Peer.Connection));
        }
        catch (DeliverFault fault)
        {
            throw Failures.Deliver(null, fault.Address, $"{fault.Problem} before its first block", SendState.NotSent, fault.Status, fault.GrpcStatus, fault);
        }
    }

    /// <summary>The newest block number of <paramref name="peer"/> (one short-lived stream).</summary>
    /// <exception cref="FabricInvokeException">Connection or Deliver.</exception>
    public static async Task<ulong> NewestBlockAsync(PeerNode peer, SigningIdentity signer, string channelId, bool bindTlsCertHash, CancellationToken cancellationToken)
    {
        var (stream, first) = await OpenFirstAsync(new DeliverClient(peer, signer, channelId, bindTlsCertHash), SeekFrom.Newest, cancellationToken).ConfigureAwait(false);
        stream.Dispose();
        return first.Number;
    }

    /// <summary>
    /// Reads <paramref name="peer"/>'s blocks <paramref name="from"/> … <paramref name="to"/> and returns, of
    /// <paramref name="txIds"/>, those found with their first report (a journal's lookup after a crash).
    /// </summary>
    /// <exception cref="FabricInvokeException">Connection or Deliver.</exception>
    public static async Task<Dictionary<string, PeerCommit>> FindAsync(
        PeerNode peer, SigningIdentity signer, string channelId, bool bindTlsCertHash, IReadOnlySet<string> txIds, ulong from, ulong to, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, PeerCommit>(StringComparer.Ordinal);
        if (from > to || txIds.Count == 0)
        {
            return found;
        }

        var client = new DeliverClient(peer, signer, channelId, bindTlsCertHash);
        var (stream, block) = await OpenFirstAsync(client, SeekFrom.Block(from), cancellationToken).ConfigureAwait(false);
        using (stream)
        {
            while (true)
            {
                foreach (var tx in block.Transactions)
                {
                    if (txIds.Contains(tx.TxId) && !found.ContainsKey(tx.TxId))
                    {
                        found[tx.TxId] = new PeerCommit(peer.Address, tx.ValidationCode, block.Number, TimeSpan.Zero);
                    }
                }

                if (block.Number >= to || found.Count == txIds.Count)
                {
                    return found;
                }

                try
                {
                    block = await stream.NextAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
                {
                    throw Failures.Connection("peer", peer.Address, RpcFailure.Describe(e, peer.Connection), e);
                }
                catch (DeliverFault fault)
                {
                    throw Failures.Deliver(null, fault.Address, fault.Problem, SendState.NotSent, fault.Status, fault.GrpcStatus, fault);
                }
            }
        }
    }

    /// <summary>Closes every stream.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_readers).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Stopped on purpose.
        }

        _stop.Dispose();
    }
}

/// <summary>One registered transaction's commit wait on the shared streams.</summary>
internal sealed class CommitWaiter : IDisposable
{
    private readonly CommitDispatcher _dispatcher;
    private readonly Channel<PeerCommit> _reports = Channel.CreateUnbounded<PeerCommit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    internal CommitWaiter(CommitDispatcher dispatcher, string txId)
    {
        _dispatcher = dispatcher;
        TxId = txId;
    }

    public string TxId { get; }

    /// <summary>Called under the dispatcher's lock: a peer's first report only.</summary>
    internal void Report(PeerCommit commit)
    {
        if (_reported.Add(commit.Address))
        {
            _reports.Writer.TryWrite(commit);
        }
    }

    /// <summary>
    /// Waits until the reports satisfy <paramref name="policy"/>, as <see cref="DeliverGroup.WaitAsync"/> does: the
    /// first invalid report ends the wait (it is the last of the list returned). <paramref name="acceptedAt"/> is when
    /// the orderer accepted it (latencies count from it).
    /// </summary>
    /// <exception cref="FabricInvokeException">CommitTimeout naming the peers the policy still needed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<PeerCommit>> WaitAsync(
        CommitPolicy policy, IReadOnlyDictionary<string, string> peerMspIds, TimeSpan timeout, long acceptedAt, TimeProvider time, CancellationToken cancellationToken)
    {
        var peers = _dispatcher.Addresses.Select(a => (a, peerMspIds.GetValueOrDefault(a))).ToList();
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var open = new HashSet<string>(peers.Select(p => p.a), StringComparer.Ordinal);
        var commits = new List<PeerCommit>();
        using var deadline = new CancellationTokenSource(timeout, time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            while (policy.Missing(peers, valid, open).Count > 0)
            {
                var commit = await _reports.Reader.ReadAsync(both.Token).ConfigureAwait(false);
                commit = commit with { Latency = time.GetElapsedTime(acceptedAt) };
                commits.Add(commit);
                open.Remove(commit.Address);
                if (!commit.IsValid)
                {
                    // The other peers' reports of the same block are still taken (briefly): a line retried under a
                    // new txid must not be endorsed by a peer that has not committed that block yet (its simulation
                    // would differ from the others').
                    await RestAsync(commits, open, both.Token).ConfigureAwait(false);
                    commits.Remove(commit);
                    commits.Add(commit);
                    return commits;
                }

                valid.Add(commit.Address);
            }

            return commits;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            throw Failures.CommitTimeout(TxId, timeout, policy.Missing(peers, valid, open));
        }
    }

    /// <summary>Takes the reports of the peers in <paramref name="open"/> as they come, until all reported or the wait ends.</summary>
    private async Task RestAsync(List<PeerCommit> commits, HashSet<string> open, CancellationToken cancellationToken)
    {
        try
        {
            while (open.Count > 0)
            {
                var commit = await _reports.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                commits.Add(commit);
                open.Remove(commit.Address);
            }
        }
        catch (OperationCanceledException)
        {
            // The deadline (or the caller) ended the wait: the invalid report is what counts.
        }
    }

    public void Dispose() => _dispatcher.Unregister(this);
}
