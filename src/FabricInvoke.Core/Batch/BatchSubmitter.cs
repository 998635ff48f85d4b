using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Gateway;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using Endorser = FabricInvoke.Core.Endorsement.Endorser;
using Google.Protobuf;
using Grpc.Core;
using FabricStatus = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.Core.Batch;

/// <summary>
/// Submits many transactions over one set of connections (<see cref="ChaincodeCmdFactory"/>: one connection per node,
/// shared by all): at most <see cref="BatchOptions.Concurrency"/> in flight, each through the same stages as a single
/// invoke (<see cref="SignedChaincodeProposal"/> → <see cref="Endorser"/> → <see cref="Broadcaster"/> → the commit
/// on ONE shared deliver stream per peer, <see cref="CommitDispatcher"/>; or through a Gateway: Endorse → Submit →
/// CommitStatus). Input is read as slots free up and outcomes are handed out through a bounded channel, so memory does
/// not grow with the input. With a <see cref="BatchJournal"/> every transaction is journalled (fsynced) before its
/// broadcast, and a resumed run skips what committed, looks up what may have, and resubmits the same signed envelope
/// for what it cannot find (docs/batch.md).
/// </summary>
internal sealed class BatchSubmitter
{
    private const string Valid = "VALID";
    private const string FailedStatus = "FAILED";
    private readonly ChaincodeCmdFactory _connections;
    private readonly BatchOptions _options;
    private readonly BatchJournal? _journal;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, string> _peerMspIds = new(StringComparer.Ordinal);
    private CommitDispatcher? _dispatcher;
    private GatewayClient? _gateway;
    private ulong _openHeight;
    private Dictionary<string, PeerCommit> _lookedUp = new(StringComparer.Ordinal);
    private int _inFlight;
    private FabricInvokeException? _fatal;
    private Exception? _bug;

    public BatchSubmitter(ChaincodeCmdFactory connections, BatchOptions options, BatchJournal? journal = null)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        _connections = connections;
        _options = options;
        _journal = journal;
        _time = connections.Time;
        foreach (var peer in connections.DeliverPeers.Where(p => p.MspId is not null))
        {
            _peerMspIds.TryAdd(peer.Address, peer.MspId!);
        }
    }

    /// <summary>Transactions under way right now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Runs the batch: one outcome per item, in the order they finish. Items are read only as fast as transactions
    /// complete and outcomes are taken.
    /// </summary>
    /// <param name="channelId">The channel of every item (the commit streams and the journal lookup read it).</param>
    /// <exception cref="FabricInvokeException">
    /// Before any outcome: what stops the whole batch (the deliver streams cannot be opened, the journal lookup fails,
    /// no orderer can be found). After some: the journal could not be written (Config); the outcomes so far were given.
    /// </exception>
    public async IAsyncEnumerable<BatchOutcome> RunAsync(string channelId, IAsyncEnumerable<BatchItem> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        await PrepareAsync(channelId, cancellationToken).ConfigureAwait(false);
        try
        {
            var outcomes = Channel.CreateBounded<BatchOutcome>(new BoundedChannelOptions(_options.Concurrency) { SingleReader = true });
            var producing = Task.Run(() => ProduceAsync(items, outcomes.Writer, cancellationToken), CancellationToken.None);
            await foreach (var outcome in outcomes.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return outcome;
            }

            await producing.ConfigureAwait(false);
            if (_fatal is { } fatal)
            {
                throw fatal;
            }

            if (_bug is { } bug)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(bug);
            }
        }
        finally
        {
            if (_dispatcher is { } d)
            {
                await d.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Orderer discovery, the journal's lookup, and the shared commit streams: once, before the first line.</summary>
    private async Task PrepareAsync(string channelId, CancellationToken cancellationToken)
    {
        var c = _connections;
        if (!_options.Gateway && c.CanDiscoverOrderers)
        {
            var (found, ordering, _) = await OrdererDiscovery.FindAsync(c.Peers, c.Signer, channelId, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            c.UseDiscoveredOrderers(found, ordering);
        }

        if (!_options.Gateway && c.Orderers.Count == 0)
        {
            throw Failures.NoOrdererGiven();
        }

        var lookupPeer = _options.Gateway ? c.Peers[0] : c.DeliverPeers[0];
        ulong? lookedUpTo = null;
        if (_journal is { State.Pending.Count: > 0 } journal)
        {
            // Every transaction journalled without a result is looked for in the blocks after the height it saw, up to the
            // newest block now; the commit streams then start right after that block, so nothing is missed in between.
            var newest = await CommitDispatcher.NewestBlockAsync(lookupPeer, c.Signer, channelId, c.BindTlsCertHash, cancellationToken).ConfigureAwait(false);
            var pending = journal.State.Pending.Values.ToList();
            var from = pending.Min(p => p.Height) + 1;
            var txIds = pending.Select(p => p.TxId).ToHashSet(StringComparer.Ordinal);
            _lookedUp = await CommitDispatcher.FindAsync(lookupPeer, c.Signer, channelId, c.BindTlsCertHash, txIds, from, newest, cancellationToken).ConfigureAwait(false);
            lookedUpTo = newest;
        }

        if (_options.Gateway)
        {
            _gateway = new GatewayClient(c.Peers[0], c.Signer);
            _openHeight = lookedUpTo ?? (_journal is null ? 0 : await CommitDispatcher.NewestBlockAsync(lookupPeer, c.Signer, channelId, c.BindTlsCertHash, cancellationToken).ConfigureAwait(false));
            return;
        }

        var dispatcher = new CommitDispatcher(c.DeliverPeers, c.Signer, channelId, c.BindTlsCertHash);
        try
        {
            await dispatcher.StartAsync(lookedUpTo is { } n ? SeekFrom.Block(n + 1) : SeekFrom.Newest, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await dispatcher.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _dispatcher = dispatcher;
    }

    private async Task ProduceAsync(IAsyncEnumerable<BatchItem> items, ChannelWriter<BatchOutcome> outcomes, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(_options.Concurrency);
        Exception? failure = null;
        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (Volatile.Read(ref _fatal) is not null || Volatile.Read(ref _bug) is not null)
                {
                    break;
                }

                var (known, resend) = await DecideAsync(item).ConfigureAwait(false);
                if (known is not null)
                {
                    await outcomes.WriteAsync(known, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _inFlight);
                _ = RunOneAsync(item, resend, outcomes, slots, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: no more lines are started; those in flight end as interrupted.
        }
#pragma warning disable CA1031 // Reading the input failed: the outcomes so far are kept, the failure ends the batch.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
        }
        finally
        {
            for (var i = 0; i < _options.Concurrency; i++)
            {
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            outcomes.TryComplete(failure);
        }
    }

    /// <summary>
    /// A line whose outcome is known without sending anything (malformed, or settled by the journal); else (null) it is
    /// to be run: with the journalled envelope to resubmit when the lookup did not find it, else as a new transaction.
    /// </summary>
    private async Task<(BatchOutcome? Known, JournalSent? Resend)> DecideAsync(BatchItem item)
    {
        if (item.Malformed is { } malformed)
        {
            return (new BatchOutcome(item.Line, item.Id, null, FailedStatus, null, [], TimeSpan.Zero, malformed, "invalid", 0), null);
        }

        var state = _journal?.State;
        if (state is null)
        {
            return (null, null);
        }

        JournalResult? result;
        if (state.Pending.TryGetValue(item.Line, out var sent))
        {
            if (!_lookedUp.TryGetValue(sent.TxId, out var commit))
            {
                return (null, sent); // not found: the same envelope again
            }

            await _journal!.ResultAsync(item.Line, sent.TxId, commit.CodeName, commit.BlockNumber, commit.Address).ConfigureAwait(false);
            result = new JournalResult(item.Line, sent.TxId, commit.CodeName, commit.BlockNumber, commit.Address);
        }
        else
        {
            result = state.Results.GetValueOrDefault(item.Line);
        }

        if (result is null || result.Status == FailedStatus)
        {
            return (null, null);
        }

        if (result.Status == Valid)
        {
            return (new BatchOutcome(item.Line, item.Id, result.TxId, Valid, result.Block, Commit(result), TimeSpan.Zero, null, "journal", 0), null);
        }

        if (_options.RetryInvalid && result.Status == FabricNames.Of(TxValidationCode.MvccReadConflict))
        {
            return (null, null);
        }

        var code = CodeOf(result.Status);
        return (new BatchOutcome(item.Line, item.Id, result.TxId, result.Status, result.Block, Commit(result), TimeSpan.Zero,
            Failures.Invalidated(result.TxId, result.Peer ?? "(journal)", code, result.Block ?? 0), "journal", 0), null);
    }

    private static IReadOnlyList<PeerCommit> Commit(JournalResult r) =>
        r.Peer is null || r.Block is null ? [] : [new PeerCommit(r.Peer, CodeOf(r.Status), r.Block.Value, TimeSpan.Zero)];

    private static TxValidationCode CodeOf(string name)
    {
        foreach (var code in Enum.GetValues<TxValidationCode>())
        {
            if (FabricNames.Of(code) == name)
            {
                return code;
            }
        }

        return TxValidationCode.InvalidOtherReason;
    }

    private async Task RunOneAsync(BatchItem item, JournalSent? resend, ChannelWriter<BatchOutcome> outcomes, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var outcome = await RunLineAsync(item, resend, cancellationToken).ConfigureAwait(false);
            // Holding the slot until the outcome is taken: a slow reader slows the batch, nothing piles up.
            await outcomes.WriteAsync(outcome, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A bug in one line's run must not vanish with its task: it stops the batch and is rethrown by RunAsync.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref _bug, e, null);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            slots.Release();
        }
    }

    private async Task<BatchOutcome> RunLineAsync(BatchItem item, JournalSent? resend, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var attempts = 0;
        string? txId = null;
        try
        {
            while (true)
            {
                attempts++;
                IReadOnlyList<PeerCommit> commits;
                if (resend is not null)
                {
                    txId = resend.TxId;
                    commits = await ResubmitAsync(resend, cancellationToken).ConfigureAwait(false);
                    resend = null;
                }
                else
                {
                    var proposal = SignedChaincodeProposal.Create(item.Invocation!, _connections.Signer, _time);
                    txId = proposal.TxId;
                    commits = await AttemptAsync(item.Line, proposal, cancellationToken).ConfigureAwait(false);
                }

                var last = commits[^1];
                var block = commits.FirstOrDefault(c => c.IsValid)?.BlockNumber ?? last.BlockNumber;
                if (_journal is not null)
                {
                    await _journal.ResultAsync(item.Line, txId, last.CodeName, block, last.Address).ConfigureAwait(false);
                }

                if (last.IsValid)
                {
                    return new BatchOutcome(item.Line, item.Id, txId, Valid, block, commits, _time.GetElapsedTime(started), null, null, attempts);
                }

                if (_options.RetryInvalid && last.Code == TxValidationCode.MvccReadConflict && attempts < _options.MaxAttempts && item.Invocation is not null)
                {
                    continue;
                }

                return new BatchOutcome(item.Line, item.Id, txId, last.CodeName, last.BlockNumber, commits, _time.GetElapsedTime(started),
                    Failures.Invalidated(txId, last.Address, last.Code, last.BlockNumber), null, attempts);
            }
        }
        catch (FabricInvokeException e)
        {
            if (e.Kind == FailureKind.Config && _journal is not null && e.Targets.Contains(_journal.Path))
            {
                Interlocked.CompareExchange(ref _fatal, e, null);
            }

            return new BatchOutcome(item.Line, item.Id, e.TxId ?? txId, FailedStatus, null, [], _time.GetElapsedTime(started), e, null, attempts);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new BatchOutcome(item.Line, item.Id, txId, FailedStatus, null, [], _time.GetElapsedTime(started),
                Failures.Interrupted(txId, txId is null ? SendState.NotSent : SendState.MaybeSent), null, attempts);
        }
    }

    /// <summary>One transaction for the line: endorse, journal, order, wait. Returns the peers' reports (an invalid one last).</summary>
    private async Task<IReadOnlyList<PeerCommit>> AttemptAsync(long line, SignedChaincodeProposal proposal, CancellationToken cancellationToken)
    {
        if (_gateway is { } gateway)
        {
            var endorsedByGateway = await gateway.EndorseAsync(proposal, _options.EndorsingOrganizations, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            await JournalSentAsync(line, proposal.TxId, endorsedByGateway.Envelope, _openHeight).ConfigureAwait(false);
            SubmittedTransaction submitted;
            try
            {
                submitted = await gateway.SubmitAsync(endorsedByGateway, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (FabricInvokeException e) when (e.SendState == SendState.NotSent)
            {
                await JournalNotOrderedAsync(line, proposal.TxId).ConfigureAwait(false);
                throw;
            }

            try
            {
                var status = await gateway.CommitStatusAsync(submitted, _options.WaitForEventTimeout, null, cancellationToken).ConfigureAwait(false);
                return status.Commits;
            }
            catch (FabricInvokeException e) when (e.Kind == FailureKind.Invalidated && e.ValidationCode is { } code)
            {
                return [new PeerCommit(gateway.Address, code, e.BlockNumber ?? 0, _time.GetElapsedTime(submitted.AcceptedAt))];
            }
        }

        var endorsed = await Endorser.EndorseAsync(proposal, _connections.Peers, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var e in endorsed.Endorsements.Where(e => e.MspId is not null))
        {
            _peerMspIds.TryAdd(e.Address, e.MspId!);
        }

        var dispatcher = _dispatcher!;
        using var waiter = dispatcher.Register(proposal.TxId);
        await JournalSentAsync(line, proposal.TxId, endorsed.Envelope, dispatcher.Height ?? 0).ConfigureAwait(false);
        SubmittedTransaction accepted;
        try
        {
            accepted = await Broadcaster.SubmitAsync(endorsed, _connections.Orderers, _options.RequestTimeout, cancellationToken, _connections.Ordering).ConfigureAwait(false);
        }
        catch (FabricInvokeException e) when (e.SendState == SendState.NotSent)
        {
            await JournalNotOrderedAsync(line, proposal.TxId).ConfigureAwait(false);
            throw;
        }

        return await waiter.WaitAsync(_options.WaitFor, _peerMspIds, _options.WaitForEventTimeout, accepted.AcceptedAt, _time, cancellationToken).ConfigureAwait(false);
    }

    private Task JournalSentAsync(long line, string txId, Envelope envelope, ulong height) =>
        _journal?.SentAsync(line, txId, envelope.ToByteArray(), height) ?? Task.CompletedTask;

    /// <summary>Nobody took the envelope: it can never commit, so a later run may try the line under a new txid.</summary>
    private Task JournalNotOrderedAsync(long line, string txId) =>
        _journal?.ResultAsync(line, txId, FailedStatus, null, null) ?? Task.CompletedTask;

    /// <summary>
    /// A journalled transaction that the lookup did not find: the same signed envelope again. If the first copy is
    /// still on its way and commits after all, the second is marked DUPLICATE_TXID and the first report (VALID) counts.
    /// </summary>
    private async Task<IReadOnlyList<PeerCommit>> ResubmitAsync(JournalSent sent, CancellationToken cancellationToken)
    {
        var envelope = Envelope.Parser.ParseFrom(sent.Envelope);
        if (_gateway is { } gateway)
        {
            return await ResubmitThroughGatewayAsync(gateway, sent.TxId, envelope, cancellationToken).ConfigureAwait(false);
        }

        var dispatcher = _dispatcher!;
        using var waiter = dispatcher.Register(sent.TxId);
        var acceptedAt = await BroadcastEnvelopeAsync(sent.TxId, envelope, cancellationToken).ConfigureAwait(false);
        return await waiter.WaitAsync(_options.WaitFor, _peerMspIds, _options.WaitForEventTimeout, acceptedAt, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A signed envelope to the orderers in turn until one accepts it; returns when it did.</summary>
    private async Task<long> BroadcastEnvelopeAsync(string txId, Envelope envelope, CancellationToken cancellationToken)
    {
        var tried = new List<EndpointDetail>();
        foreach (var orderer in _connections.Orderers)
        {
            try
            {
                using var call = orderer.Calls.AsyncDuplexStreamingCall(
                    FabricCalls.Broadcast, null, new CallOptions(deadline: _time.GetUtcNow().UtcDateTime + _options.RequestTimeout, cancellationToken: cancellationToken));
                await StreamWrites.TryWriteAsync(call.RequestStream, envelope, cancellationToken).ConfigureAwait(false);
                if (!await StreamWrites.MoveNextAsync(call, cancellationToken).ConfigureAwait(false))
                {
                    tried.Add(new EndpointDetail(orderer.Address, null, "broadcast stream closed without a response"));
                    continue;
                }

                var response = call.ResponseStream.Current;
                await StreamWrites.TryCompleteAsync(call.RequestStream).ConfigureAwait(false);
                if (Broadcaster.IsAccepted(response))
                {
                    return _time.GetTimestamp();
                }

                if (response.Status != FabricStatus.ServiceUnavailable)
                {
                    throw Failures.Ordering(txId, orderer.Address, $"got unexpected status: {FabricNames.Of(response.Status)} -- {response.Info}", SendState.MaybeSent, response.Status);
                }

                tried.Add(new EndpointDetail(orderer.Address, null, $"got unexpected status: {FabricNames.Of(response.Status)} -- {response.Info}"));
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                tried.Add(new EndpointDetail(orderer.Address, null, RpcFailure.Describe(e, orderer.Connection)));
            }
        }

        throw Failures.NoOrdererAccepted(txId, tried, SendState.MaybeSent, null);
    }

    private async Task<IReadOnlyList<PeerCommit>> ResubmitThroughGatewayAsync(GatewayClient gateway, string txId, Envelope envelope, CancellationToken cancellationToken)
    {
        var peer = _connections.Peers[0];
        var channelId = ChannelOf(envelope);
        try
        {
            await peer.Calls.AsyncUnaryCall(FabricCalls.GatewaySubmit, null,
                new CallOptions(deadline: _time.GetUtcNow().UtcDateTime + _options.RequestTimeout, cancellationToken: cancellationToken),
                new Protos.Gateway.SubmitRequest { TransactionId = txId, ChannelId = channelId, PreparedTransaction = envelope }).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failures.GatewaySubmit(txId, gateway.Address, GatewayStatus.Describe(e, GatewayStatus.Details(e)), e.StatusCode, GatewayStatus.Details(e), SendState.MaybeSent, e);
        }

        var acceptedAt = _time.GetTimestamp();
        Protos.Gateway.CommitStatusResponse status;
        try
        {
            status = await peer.Calls.AsyncUnaryCall(FabricCalls.GatewayCommitStatus, null,
                new CallOptions(deadline: _time.GetUtcNow().UtcDateTime + _options.WaitForEventTimeout, cancellationToken: cancellationToken),
                GatewayRequests.CommitStatus(txId, channelId, _connections.Signer)).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw e.StatusCode == StatusCode.DeadlineExceeded
                ? Failures.CommitTimeout(txId, _options.WaitForEventTimeout, [gateway.Address])
                : Failures.GatewayCommitStatus(txId, gateway.Address, GatewayStatus.Describe(e, GatewayStatus.Details(e)), e.StatusCode, GatewayStatus.Details(e), e);
        }

        return [new PeerCommit(gateway.Address, status.Result, status.BlockNumber, _time.GetElapsedTime(acceptedAt))];
    }

    private static string ChannelOf(Envelope envelope)
    {
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        return ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader).ChannelId;
    }
}
