using System.Runtime.CompilerServices;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Gateway;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Peer;
using Grpc.Core;
using FabricStatus = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.Core.Events;

/// <summary>A chain's identity (its genesis block's header hash, hex) and its height (blocks in the ledger).</summary>
internal sealed record ChainInfo(string GenesisHash, ulong Height);

/// <summary>A block's chaincode events of interest (possibly none: the stream still passed the block).</summary>
internal sealed record EventBlock(ulong Number, IReadOnlyList<FollowedEvent> Events);

/// <summary>One chaincode event of a VALID transaction, where the ledger has it.</summary>
/// <param name="TxIndex">The transaction's position in its block; null through a Gateway, which does not say.</param>
internal sealed record FollowedEvent(ulong Block, int? TxIndex, string TxId, string ChaincodeId, string EventName, byte[] Payload);

/// <summary>
/// Follows a channel's ledger as a stream: chaincode events of VALID transactions (from full blocks, or a Gateway's
/// ChaincodeEvents) or filtered block summaries, in ledger order. A stream that breaks (a restarted peer, a network
/// error, SERVICE_UNAVAILABLE) is re-opened from the next unread block with bounded exponential backoff, cycling
/// through the peers given, for as long as the reconnect timeout allows; a refusal that will not change (FORBIDDEN,
/// NOT_FOUND, BAD_REQUEST) ends it at once.
/// </summary>
internal sealed class EventFollower
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);
    private readonly ChaincodeCmdFactory _connections;
    private readonly string _channelId;
    private readonly TimeSpan _reconnectTimeout;
    private readonly IProgressObserver _observer;

    /// <summary>Follows <paramref name="channelId"/> through the peers of <paramref name="connections"/>.</summary>
    /// <param name="connections">The peers (in order of preference) and the signing identity.</param>
    /// <param name="channelId">The channel.</param>
    /// <param name="reconnectTimeout">How long a broken stream is re-opened before the follower gives up.</param>
    /// <param name="observer">Told about reconnections; null: nobody.</param>
    public EventFollower(ChaincodeCmdFactory connections, string channelId, TimeSpan reconnectTimeout, IProgressObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        _connections = connections;
        _channelId = channelId;
        _reconnectTimeout = reconnectTimeout;
        _observer = observer ?? IProgressObserver.None;
    }

    /// <summary>
    /// Block by block, the events of <paramref name="chaincodeId"/> (only <paramref name="eventNames"/>, when any), after
    /// <paramref name="after"/>. Through a Gateway only blocks holding such events come.
    /// </summary>
    /// <param name="start">Where to start when there is no checkpoint.</param>
    /// <param name="after">The last event already emitted (a checkpoint): the stream resumes at its block, skipping up to it.</param>
    /// <param name="gateway">Read the first peer's Gateway ChaincodeEvents stream instead of full blocks.</param>
    /// <exception cref="FabricInvokeException">Connection (no peer reachable at the start), Deliver (a lasting refusal, or given up reconnecting).</exception>
    public async IAsyncEnumerable<EventBlock> ChaincodeEventsAsync(
        string chaincodeId,
        IReadOnlyCollection<string> eventNames,
        SeekFrom start,
        EventCheckpoint? after,
        bool gateway,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventNames);
        var from = after is null ? start : SeekFrom.Block(after.Block);
        var peers = gateway ? [_connections.Peers[0]] : _connections.Peers;
        Func<PeerNode, SeekFrom, CancellationToken, IBatchReader> open = gateway
            // after_transaction_id makes a gateway start at that transaction's block: only the first stream may carry it;
            // a re-opened one starts after the last block read.
            ? (peer, position, ct) => new GatewayEventsReader(peer, _connections.Signer, _channelId, chaincodeId, position, position == from ? after?.TxId : null, ct)
            : (peer, position, ct) => new DeliverReader(new DeliverClient(peer, _connections.Signer, _channelId, _connections.BindTlsCertHash).Open(position, BlockKind.Full, ct), chaincodeId);
        await foreach (var batch in BatchesAsync(peers, open, from, cancellationToken).ConfigureAwait(false))
        {
            yield return new EventBlock(batch.Number, batch.Events
                .Where(e => (eventNames.Count == 0 || eventNames.Contains(e.EventName)) && after?.Covers(e.Block, e.TxIndex, e.TxId) != true)
                .ToList());
        }
    }

    /// <summary>Every block's transactions (ids and validation codes) from DeliverFiltered, after block <paramref name="afterBlock"/> if given.</summary>
    /// <exception cref="FabricInvokeException">Connection (no peer reachable at the start), Deliver (a lasting refusal, or given up reconnecting).</exception>
    public async IAsyncEnumerable<DeliveredBlock> BlocksAsync(SeekFrom start, ulong? afterBlock, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = afterBlock is { } last ? SeekFrom.Block(last + 1) : start;
        await foreach (var batch in BatchesAsync(
            _connections.Peers,
            (peer, position, ct) => new DeliverReader(new DeliverClient(peer, _connections.Signer, _channelId, _connections.BindTlsCertHash).Open(position, BlockKind.Filtered, ct), null),
            from,
            cancellationToken).ConfigureAwait(false))
        {
            yield return batch.Block!;
        }
    }

    /// <summary>
    /// The chain's identity and height as the first peer that answers sees them: the SHA-256 header hash of its
    /// genesis block (hex; Fabric's block hash, over the ASN.1 header) and the number of blocks. One full block (block 0)
    /// and one filtered block (the newest) are read.
    /// </summary>
    /// <exception cref="FabricInvokeException">Connection (no peer reachable), Deliver (a refusal, a broken stream).</exception>
    public async Task<ChainInfo> ChainInfoAsync(CancellationToken cancellationToken)
    {
        FabricInvokeException? last = null;
        foreach (var peer in _connections.Peers)
        {
            var client = new DeliverClient(peer, _connections.Signer, _channelId, _connections.BindTlsCertHash);
            try
            {
                Protos.Common.Block genesis;
                using (var stream = client.Open(SeekFrom.Block(0), BlockKind.Full, cancellationToken))
                {
                    genesis = await stream.NextFullBlockAsync(cancellationToken).ConfigureAwait(false);
                }

                using var newest = client.Open(SeekFrom.Newest, BlockKind.Filtered, cancellationToken);
                var top = await newest.NextAsync(cancellationToken).ConfigureAwait(false);
                return new ChainInfo(Convert.ToHexStringLower(HeaderHash(genesis.Header)), top.Number + 1);
            }
            catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
            {
                last = Failures.Connection("peer", peer.Address, RpcFailure.Describe(e, peer.Connection), e);
            }
            catch (DeliverFault fault)
            {
                throw Failures.Deliver(null, fault.Address, fault.Problem, SendState.NotSent, fault.Status, fault.GrpcStatus, fault);
            }
        }

        throw last!;
    }

    /// <summary>Fabric's block hash: SHA-256 of DER <c>SEQUENCE{INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash}</c>.</summary>
    private static byte[] HeaderHash(Protos.Common.BlockHeader header)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new System.Numerics.BigInteger(header.Number));
            writer.WriteOctetString(header.PreviousHash.Span);
            writer.WriteOctetString(header.DataHash.Span);
        }

        return System.Security.Cryptography.SHA256.HashData(writer.Encode());
    }

    /// <summary>The reconnect loop every stream shares: read batches, and on a break re-open from the next block.</summary>
    private async IAsyncEnumerable<Batch> BatchesAsync(
        IReadOnlyList<PeerNode> peers, Func<PeerNode, SeekFrom, CancellationToken, IBatchReader> open, SeekFrom start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var time = _connections.Time;
        var next = start;
        var index = 0;
        var delay = FirstDelay;
        long? failingSince = null;
        var everRead = false;
        var unreachableAtStart = 0;
        while (true)
        {
            var peer = peers[index % peers.Count];
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var reader = open(peer, next, stop.Token);
            FabricInvokeException? failure;
            while (true)
            {
                Batch? batch = null;
                failure = null;
                try
                {
                    batch = await reader.NextAsync(stop.Token).ConfigureAwait(false);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("the event stream was stopped", e, cancellationToken);
                }
                catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
                {
                    failure = Failures.Connection("peer", peer.Address, RpcFailure.Describe(e, peer.Connection), e, needsClientCertificate: RpcFailure.NeedsClientCertificate(e, peer.Connection));
                }
                catch (DeliverFault fault) when (IsLasting(fault.Status))
                {
                    throw Failures.Deliver(null, fault.Address, fault.Problem, SendState.NotSent, fault.Status, fault.GrpcStatus, fault);
                }
                catch (DeliverFault fault)
                {
                    failure = Failures.Deliver(null, fault.Address, fault.Problem, SendState.NotSent, fault.Status, fault.GrpcStatus, fault);
                }
                catch (FabricInvokeException e) when (e.GrpcStatus is StatusCode.PermissionDenied or StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.Unauthenticated)
                {
                    throw;
                }
                catch (FabricInvokeException e)
                {
                    failure = e;
                }

                if (batch is null)
                {
                    break;
                }

                everRead = true;
                failingSince = null;
                delay = FirstDelay;
                next = SeekFrom.Block(batch.Number + 1);
                yield return batch;
            }

            var lost = failure ?? Failures.Deliver(null, peer.Address, "stream ended", SendState.NotSent);

            // A wrong address should not take the whole reconnect timeout to report: before anything was read, a round
            // of unreachable peers ends it as the connection failure it is.
            if (!everRead && lost.Kind == FailureKind.Connection && ++unreachableAtStart >= peers.Count)
            {
                throw lost;
            }

            failingSince ??= time.GetTimestamp();
            if (time.GetElapsedTime(failingSince.Value) + delay > _reconnectTimeout)
            {
                throw Failures.GaveUpReconnecting(string.Join(", ", peers.Select(p => p.Address)), _reconnectTimeout, lost.Message, lost);
            }

            index++;
            _observer.Reconnecting(new RetryNotice("peer", peers[index % peers.Count].Address, lost.Message, delay));
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    /// <summary>A deliver status that another attempt will not change.</summary>
    private static bool IsLasting(FabricStatus? status) => status is FabricStatus.Forbidden or FabricStatus.NotFound or FabricStatus.BadRequest;

    /// <summary>What one read of a stream yields: a block's number, and its summary or its events.</summary>
    private sealed record Batch(ulong Number, DeliveredBlock? Block, IReadOnlyList<FollowedEvent> Events);

    /// <summary>One open stream (deliver or gateway).</summary>
    /// <exception cref="RpcException">A connect failure.</exception>
    /// <exception cref="DeliverFault">A deliver status or a broken deliver stream.</exception>
    /// <exception cref="FabricInvokeException">A gateway failure.</exception>
    private interface IBatchReader : IDisposable
    {
        Task<Batch> NextAsync(CancellationToken cancellationToken);
    }

    private sealed class DeliverReader(BlockStream stream, string? chaincodeId) : IBatchReader
    {
        public async Task<Batch> NextAsync(CancellationToken cancellationToken)
        {
            var block = await stream.NextAsync(cancellationToken).ConfigureAwait(false);
            var events = chaincodeId is null
                ? []
                : block.Transactions
                    .Where(t => t.IsValid)
                    .SelectMany(t => t.Events.Where(e => e.ChaincodeName == chaincodeId)
                        .Select(e => new FollowedEvent(block.Number, t.Index, t.TxId, e.ChaincodeName, e.EventName, e.Payload)))
                    .ToList();
            return new Batch(block.Number, block, events);
        }

        public void Dispose() => stream.Dispose();
    }

    private sealed class GatewayEventsReader : IBatchReader
    {
        private readonly PeerNode _peer;
        private readonly AsyncServerStreamingCall<Protos.Gateway.ChaincodeEventsResponse> _call;

        public GatewayEventsReader(
            PeerNode peer, Identity.SigningIdentity signer, string channelId, string chaincodeId, SeekFrom start, string? afterTxId, CancellationToken cancellationToken)
        {
            _peer = peer;
            var request = GatewayRequests.ChaincodeEvents(channelId, chaincodeId, start, signer, afterTxId);
            _call = peer.Calls.AsyncServerStreamingCall(FabricCalls.GatewayChaincodeEvents, null, new CallOptions(cancellationToken: cancellationToken), request);
        }

        public async Task<Batch> NextAsync(CancellationToken cancellationToken)
        {
            bool more;
            try
            {
                more = await _call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled }
                                      && !cancellationToken.IsCancellationRequested)
            {
                // Not cancelled by us (the call has no deadline): its transport ended it — the connection's
                // connect timeout ran out, say. The call's status says why: a connect failure, as on the deliver path.
                Status status;
                try
                {
                    status = _call.GetStatus();
                }
                catch (InvalidOperationException)
                {
                    status = new Status(StatusCode.Cancelled, "the call was cancelled by the transport", e);
                }

                var failed = new RpcException(status);

                // A call without a deadline that its transport cancels was cut by the connect timeout, the handler's
                // only timer, even when the status keeps no trace of it.
                var timedOut = RpcFailure.AsConnectTimeout(e) ?? RpcFailure.AsConnectTimeout(failed)
                    ?? (status.StatusCode == StatusCode.Cancelled
                        ? new RpcException(new Status(StatusCode.Unavailable, RpcFailure.ConnectTimedOut, new TimeoutException(RpcFailure.ConnectTimedOut, e)))
                        : null);
                if (timedOut is not null || RpcFailure.IsConnectFailure(failed))
                {
                    throw timedOut ?? failed;
                }

                var details = GatewayStatus.Details(failed);
                throw Failures.GatewayEvents(_peer.Address, GatewayStatus.Describe(failed, details), failed.StatusCode, details, e);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                // The stop the caller asked for, as grpc-dotnet may report it: every caller sees a cancellation.
                throw new OperationCanceledException("the event stream was stopped", e, cancellationToken);
            }
            catch (RpcException e) when (!RpcFailure.IsConnectFailure(e))
            {
                var details = GatewayStatus.Details(e);
                throw Failures.GatewayEvents(_peer.Address, GatewayStatus.Describe(e, details), e.StatusCode, details, e);
            }

            if (!more)
            {
                throw new DeliverFault(_peer.Address, "the gateway ended the chaincode event stream", null, null);
            }

            var response = _call.ResponseStream.Current;
            var events = response.Events
                .Select(e => new FollowedEvent(response.BlockNumber, null, e.TxId, e.ChaincodeId, e.EventName, e.Payload.ToByteArray()))
                .ToList();
            return new Batch(response.BlockNumber, null, events);
        }

        public void Dispose() => _call.Dispose();
    }
}
