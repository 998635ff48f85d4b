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
/// (--waitForEventTimeout) covers both, starting with <see cref="ConnectAsync"/>, as in the peer CLI.
/// </summary>
public sealed class DeliverGroup : IDisposable
{
    private readonly IReadOnlyList<DeliverClient> _clients;
    private readonly BlockStream?[] _streams;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private CancellationTokenSource? _deadline;

    /// <param name="timeout">The one deadline for connecting and waiting.</param>
    public DeliverGroup(IReadOnlyList<PeerNode> peers, SigningIdentity signer, string channelId, bool bindTlsCertHash, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentOutOfRangeException.ThrowIfZero(peers.Count);
        _clients = peers.Select(p => new DeliverClient(p, signer, channelId, bindTlsCertHash)).ToList();
        _streams = new BlockStream?[peers.Count];
        _timeout = timeout;
        _time = peers[0].Connection.Time;
    }

    /// <summary>The peers waited on, in the order given.</summary>
    public IReadOnlyList<string> Addresses => _clients.Select(c => c.Address).ToList();

    /// <summary>Connects every peer in parallel; the first failure stops the others. Starts the deadline.</summary>
    /// <exception cref="FabricInvokeException">
    /// Connection (a peer unreachable), Deliver (a status such as FORBIDDEN before the first block, or the deadline
    /// passed) — all with <see cref="SendState.NotSent"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task ConnectAsync(string txId, CancellationToken cancellationToken)
    {
        _deadline ??= new CancellationTokenSource(_timeout, _time);
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
    /// Waits until every peer reports <paramref name="transaction"/>. The first peer to report it invalid, and the first
    /// deliver failure, end the wait at once.
    /// </summary>
    /// <param name="onCommit">Told about each peer's report as it arrives (also the last, invalid one).</param>
    /// <exception cref="FabricInvokeException">
    /// Invalidated (a validation code other than VALID), Deliver (a status or a broken stream before the txid), or
    /// CommitTimeout (naming the peers that had not reported) — all with <see cref="SendState.Sent"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException"><see cref="ConnectAsync"/> has not completed.</exception>
    public async Task<CommitStatus> WaitAsync(SubmittedTransaction transaction, Action<PeerCommit>? onCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (_deadline is null || _streams.Any(s => s is null))
        {
            throw new InvalidOperationException("the deliver streams are not connected");
        }

        var reported = new bool[_streams.Length];
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
        var tasks = _streams.Select((s, i) => WaitOneAsync(s!, transaction, commit =>
        {
            Volatile.Write(ref reported[i], true);
            onCommit?.Invoke(commit);
        }, failFast.Token)).ToList();
        try
        {
            var commits = await FanOut.WhenAllFailFast(tasks, failFast).ConfigureAwait(false);
            return new CommitStatus(transaction.TxId, commits, _time.GetElapsedTime(transaction.AcceptedAt));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _deadline.IsCancellationRequested)
        {
            var pending = _clients.Where((_, i) => !Volatile.Read(ref reported[i])).Select(c => c.Address).ToList();
            throw Failures.CommitTimeout(transaction.TxId, _timeout, pending);
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
            throw Failures.Connection("peer", client.Address, RpcFailure.Describe(e, client.Peer.Connection), e, txId);
        }
        catch (DeliverFault fault)
        {
            throw Failures.Deliver(txId, fault.Address, $"{fault.Problem} before its first block", SendState.NotSent, fault.Status, fault.GrpcStatus, fault);
        }
    }

    private async Task<PeerCommit> WaitOneAsync(BlockStream stream, SubmittedTransaction transaction, Action<PeerCommit> reported, CancellationToken cancellationToken)
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
                if (tx.TxId != txId)
                {
                    continue;
                }

                var commit = new PeerCommit(stream.Address, tx.ValidationCode, block.Number, _time.GetElapsedTime(transaction.AcceptedAt));
                reported(commit);
                return commit.IsValid
                    ? commit
                    : throw Failures.Invalidated(txId, commit.Address, commit.Code, commit.BlockNumber);
            }
        }
    }

    public void Dispose()
    {
        foreach (var s in _streams)
        {
            s?.Dispose();
        }

        _deadline?.Dispose();
    }
}
