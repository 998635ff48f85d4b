using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Internal;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;
using Grpc.Core;

namespace FabricInvoke.Core.Delivery;

/// <summary>
/// The commit wait (the Go CLI's DeliverGroup), made race-free: <see cref="ConnectAsync"/> returns only when every
/// peer's DeliverFiltered stream has answered with its current block, so a transaction broadcast afterwards cannot
/// have its block missed; <see cref="WaitAsync"/> then reads each stream until the transaction appears. One deadline
/// (--waitForEventTimeout) covers both, from <see cref="StartClock"/>: the peer CLI starts it once the endorsements are
/// in (internal/peer/chaincode/common.go), so a slow chaincode does not use up the commit wait. Streams may be connected
/// earlier, while the peers endorse; until the clock starts, each connection is bounded by the connect timeout only.
/// </summary>
internal sealed class DeliverGroup : IDisposable
{
    private readonly IReadOnlyList<DeliverClient> _clients;
    private readonly BlockStream?[] _streams;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _deadline;
    private int _clockStarted;

    /// <param name="timeout">The one deadline for connecting and waiting, counted from <see cref="StartClock"/>.</param>
    public DeliverGroup(IReadOnlyList<PeerNode> peers, SigningIdentity signer, string channelId, bool bindTlsCertHash, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentOutOfRangeException.ThrowIfZero(peers.Count);
        _clients = peers.Select(p => new DeliverClient(p, signer, channelId, bindTlsCertHash)).ToList();
        _streams = new BlockStream?[peers.Count];
        _timeout = timeout;
        _time = peers[0].Connection.Time;
        _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
    }

    /// <summary>
    /// Starts the deadline (once; later calls do nothing): from now, connecting and waiting together may take the
    /// timeout. The invoker calls it when the endorsements are in; <see cref="WaitAsync"/> starts it if nobody did.
    /// </summary>
    public void StartClock()
    {
        if (Interlocked.Exchange(ref _clockStarted, 1) == 0)
        {
            _deadline.CancelAfter(_timeout);
        }
    }

    /// <summary>The peers waited on, in the order given.</summary>
    public IReadOnlyList<string> Addresses => _clients.Select(c => c.Address).ToList();

    /// <summary>
    /// Connects every peer in parallel; the first failure stops the others. Bounded by the deadline once
    /// <see cref="StartClock"/> has been called (also when that happens while connecting), else by each connection's
    /// connect timeout.
    /// </summary>
    /// <exception cref="FabricInvokeException">
    /// Connection (a peer unreachable), Deliver (a status such as FORBIDDEN before the first block, or the deadline
    /// passed) — all with <see cref="SendState.NotSent"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task ConnectAsync(string txId, CancellationToken cancellationToken)
    {
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
        var tasks = _clients.Select((c, i) => ConnectOneAsync(i, c, txId, failFast.Token)).ToList();
        try
        {
            await FanOut.WhenAllFailFast(tasks, failFast).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _deadline.IsCancellationRequested)
        {
            throw Failures.Deliver(txId, string.Join(", ", Addresses),
                $"timed out after {Failures.FormatDuration(_timeout)} waiting for the deliver streams to connect", SendState.NotSent, grpcStatus: StatusCode.DeadlineExceeded);
        }
    }

    /// <summary>
    /// Waits until the peers reports satisfy <paramref name="policy"/> (<see cref="CommitPolicy.All"/>: every peer). The
    /// first peer to report the transaction invalid ends the wait at once; a deliver failure does when the policy can no
    /// longer be met without that peer.
    /// </summary>
    /// <param name="peerMspIds">Each peer's MSP id, by address (from its endorsement); needed by an organisations policy.</param>
    /// <param name="onCommit">Told about each peer's report as it arrives (also the last, invalid one).</param>
    /// <exception cref="FabricInvokeException">
    /// Invalidated (a validation code other than VALID), Deliver (a status or a broken stream before the txid), or
    /// CommitTimeout (naming the peers the policy still needed) — all with <see cref="SendState.Sent"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException"><see cref="ConnectAsync"/> has not completed.</exception>
    public async Task<CommitStatus> WaitAsync(
        SubmittedTransaction transaction,
        CommitPolicy policy,
        IReadOnlyDictionary<string, string> peerMspIds,
        Action<PeerCommit>? onCommit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(peerMspIds);
        if (_streams.Any(s => s is null))
        {
            throw new InvalidOperationException("the deliver streams are not connected");
        }

        StartClock();

        var peers = _clients.Select(c => (c.Address, peerMspIds.GetValueOrDefault(c.Address))).ToList();
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var open = new HashSet<string>(peers.Select(p => p.Address), StringComparer.Ordinal);
        var commits = new List<PeerCommit>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
        var pending = _streams.Select((s, i) => WaitOneAsync(s!, transaction, stop.Token)).ToList();
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(done);
                PeerCommit commit;
                try
                {
                    commit = await done.ConfigureAwait(false);
                }
                catch (FabricInvokeException e) when (e.Kind == FailureKind.Deliver)
                {
                    open.Remove(e.Target!);
                    if (policy.IsUnreachable(peers, valid, open))
                    {
                        throw;
                    }

                    continue;
                }

                open.Remove(commit.Address);
                commits.Add(commit);
                onCommit?.Invoke(commit);
                if (!commit.IsValid)
                {
                    throw Failures.Invalidated(transaction.TxId, commit.Address, commit.Code, commit.BlockNumber);
                }

                valid.Add(commit.Address);
                if (policy.Missing(peers, valid, open).Count == 0)
                {
                    break;
                }
            }

            var ordered = commits.OrderBy(c => _clients.ToList().FindIndex(x => x.Address == c.Address)).ToList();
            return new CommitStatus(transaction.TxId, ordered, _time.GetElapsedTime(transaction.AcceptedAt));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _deadline.IsCancellationRequested)
        {
            throw Failures.CommitTimeout(transaction.TxId, _timeout, policy.Missing(peers, valid, open));
        }
        finally
        {
            // Peers outside the policy are not waited for: their streams stop here.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Stopped on purpose, or already reported.
            }
        }
    }

    private async Task<bool> ConnectOneAsync(int index, DeliverClient client, string txId, CancellationToken cancellationToken)
    {
        try
        {
            _streams[index] = await ConnectRetry.RunAsync(async () =>
            {
                var stream = client.Open(SeekFrom.Newest, BlockKind.Filtered, CancellationToken.None);
                try
                {
                    // The peer's first answer is its newest block: from here on no later block can be missed.
                    await stream.NextAsync(cancellationToken).ConfigureAwait(false);
                    return stream;
                }
                catch
                {
                    stream.Dispose();
                    throw;
                }
            }, client.Peer.Connection, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
        {
            throw Failures.Connection("peer", client.Address, RpcFailure.Describe(e, client.Peer.Connection), e, txId, needsClientCertificate: RpcFailure.NeedsClientCertificate(e, client.Peer.Connection));
        }
        catch (DeliverFault fault)
        {
            throw Failures.Deliver(txId, fault.Address, $"{fault.Problem} before its first block", SendState.NotSent, fault.Status, fault.GrpcStatus, fault);
        }
    }

    private async Task<PeerCommit> WaitOneAsync(BlockStream stream, SubmittedTransaction transaction, CancellationToken cancellationToken)
    {
        var txId = transaction.TxId;
        while (true)
        {
            DeliveredBlock block;
            try
            {
                block = await stream.NextAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
            {
                throw Failures.Deliver(txId, stream.Address, $"stream failed: {RpcFailure.Describe(e)} before txid received", SendState.Sent, grpcStatus: e.StatusCode, inner: e);
            }
            catch (DeliverFault fault)
            {
                throw Failures.Deliver(txId, fault.Address, $"{fault.Problem} before txid received", SendState.Sent, fault.Status, fault.GrpcStatus, fault);
            }

            foreach (var tx in block.Transactions)
            {
                if (tx.TxId == txId)
                {
                    return new PeerCommit(stream.Address, tx.ValidationCode, block.Number, _time.GetElapsedTime(transaction.AcceptedAt));
                }
            }
        }
    }

    /// <summary>Closes every peer's stream.</summary>
    public void Dispose()
    {
        foreach (var s in _streams)
        {
            s?.Dispose();
        }

        _deadline.Dispose();
    }
}
