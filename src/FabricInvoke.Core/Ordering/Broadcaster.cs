using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using Grpc.Core;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.Core.Ordering;

/// <summary>
/// The ordering stage: sends the signed transaction to the orderers. In the order given until one accepts it; or, for
/// a channel whose configuration says BFT, to every orderer at once until a quorum accepted it (as Fabric 3's Gateway).
/// </summary>
internal static class Broadcaster
{
    /// <summary>
    /// Sequential (Raft, Kafka, solo, or orderers given rather than discovered): tries each orderer in turn. An
    /// unreachable orderer or SERVICE_UNAVAILABLE moves on to the next at once (only the last one is retried within the
    /// connect timeout, as the peer CLI dials its one orderer); any other non-SUCCESS status fails at once (another
    /// orderer of the same channel would refuse it too). BFT (<paramref name="ordering"/> says so): see
    /// <see cref="ChannelOrdering.Quorum"/>; the orderers that have not answered when the quorum is reached are not
    /// waited for (their answers are still reported as they come).
    /// </summary>
    /// <param name="requestTimeout">Deadline for each orderer's answer (--requestTimeout).</param>
    /// <param name="ordering">How the channel orders, when its configuration was read; null: sequential.</param>
    /// <param name="tried">Told about each orderer as it is tried (<see cref="OrdererOutcome.Pending"/>) and again with its outcome; from any thread.</param>
    /// <exception cref="FabricInvokeException">
    /// Connection when no orderer could be reached; Ordering when an orderer refused the transaction or did not answer
    /// (then <see cref="SendState.MaybeSent"/>), or too few BFT orderers accepted it; Interrupted when
    /// <paramref name="cancellationToken"/> was cancelled, saying whether an orderer may already have the envelope.
    /// </exception>
    public static Task<SubmittedTransaction> SubmitAsync(
        EndorsedTransaction transaction,
        IReadOnlyList<OrdererNode> orderers,
        TimeSpan requestTimeout,
        CancellationToken cancellationToken,
        ChannelOrdering? ordering = null,
        Action<OrdererAttempt>? tried = null) =>
        SubmitAsync(transaction, orderers, requestTimeout, cancellationToken, prepared: null, ordering, tried);

    /// <summary>
    /// <see cref="SubmitAsync(EndorsedTransaction, IReadOnlyList{OrdererNode}, TimeSpan, CancellationToken, ChannelOrdering?, Action{OrdererAttempt}?)"/>
    /// with the first orderer's stream opened while the peers endorsed (the CLI's invoke).
    /// </summary>
    /// <param name="prepared">
    /// The first orderer's stream, opened while the peers endorsed (<see cref="PreparedBroadcast.Open"/>); its first
    /// attempt uses it. Retries and the other orderers open their own calls, exactly as without it.
    /// </param>
    internal static async Task<SubmittedTransaction> SubmitAsync(
        EndorsedTransaction transaction,
        IReadOnlyList<OrdererNode> orderers,
        TimeSpan requestTimeout,
        CancellationToken cancellationToken,
        PreparedBroadcast? prepared,
        ChannelOrdering? ordering = null,
        Action<OrdererAttempt>? tried = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(orderers);
        if (orderers.Count == 0)
        {
            throw Failures.NoOrdererGiven();
        }

        tried ??= _ => { };
        return ordering is { IsBft: true }
            ? await SubmitToAllAsync(transaction, orderers, requestTimeout, cancellationToken, prepared, ordering, tried).ConfigureAwait(false)
            : await SubmitInTurnAsync(transaction, orderers, requestTimeout, cancellationToken, prepared, tried).ConfigureAwait(false);
    }

    private static async Task<SubmittedTransaction> SubmitInTurnAsync(
        EndorsedTransaction transaction, IReadOnlyList<OrdererNode> orderers, TimeSpan requestTimeout, CancellationToken cancellationToken, PreparedBroadcast? prepared, Action<OrdererAttempt> tried)
    {
        var txId = transaction.TxId;
        var envelope = transaction.Envelope;
        var time = orderers[0].Connection.Time;
        var observer = orderers[0].Connection.Observer;
        var started = time.GetTimestamp();
        var connectingSince = prepared?.OpenedAt ?? started;
        var attempts = new List<EndpointDetail>();
        var outcomes = new List<OrdererAttempt>();
        var allUnreachable = true;
        var needsClientCertificate = false; // decided with the failure's message, for the one-orderer error
        Status? lastStatus = null;

        // An orderer that took the envelope but did not answer may still order it; so may one that is being sent it.
        var sendState = SendState.NotSent;
        var inFlight = new InFlight();
        for (var i = 0; i < orderers.Count; i++)
        {
            var orderer = orderers[i];
            var index = i;
            var since = time.GetTimestamp();
            void Report(OrdererOutcome outcome, string? status, string message)
            {
                var attempt = new OrdererAttempt(index, orderer.Address, outcome, status, message, time.GetElapsedTime(since));
                outcomes.Add(attempt);
                tried(attempt);
            }

            tried(new OrdererAttempt(index, orderer.Address, OrdererOutcome.Pending, null, string.Empty, TimeSpan.Zero));
            try
            {
                // A connection that cannot be made moves on to the next orderer at once; the last one is retried within the connect timeout.
                Task<BroadcastResponse> Once() => SendOnceAsync(orderer, envelope, requestTimeout, inFlight, () => observer.Broadcasting(txId, orderer.Address), prepared, cancellationToken);
                var response = i == orderers.Count - 1
                    ? await ConnectRetry.RunAsync(Once, orderer.Connection, cancellationToken).ConfigureAwait(false)
                    : await Once().ConfigureAwait(false);
                if (IsAccepted(response))
                {
                    Report(OrdererOutcome.Accepted, FabricNames.Of(response.Status), response.Info);
                    var (connect, tls) = orderer.Connection.Timings.EstablishedSince(connectingSince, time);
                    return new SubmittedTransaction(transaction, orderer.Address, time.GetElapsedTime(started), time.GetTimestamp(), connect: connect, tls: tls)
                    {
                        Attempts = outcomes,
                    };
                }

                allUnreachable = false;
                lastStatus = response.Status;
                Report(OrdererOutcome.Refused, FabricNames.Of(response.Status), response.Info);
                var said = $"got unexpected status: {FabricNames.Of(response.Status)} -- {response.Info}";
                if (response.Status != Status.ServiceUnavailable)
                {
                    throw Failures.Ordering(txId, orderer.Address, said, sendState, response.Status, earlier: attempts);
                }

                attempts.Add(new EndpointDetail(orderer.Address, null, said));
            }
            catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
            {
                var said = RpcFailure.Describe(e, orderer.Connection);
                needsClientCertificate = RpcFailure.NeedsClientCertificate(e, orderer.Connection);
                Report(OrdererOutcome.Unreachable, null, said);
                attempts.Add(new EndpointDetail(orderer.Address, null, said));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw Failures.Interrupted(txId, inFlight.Value ? SendState.MaybeSent : sendState);
            }
            catch (Exception e) when ((e is RpcException { StatusCode: StatusCode.DeadlineExceeded })
                                       || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The channel may report a passed deadline as a cancellation; only the caller's token means "stop".
                allUnreachable = false;
                sendState = SendState.MaybeSent;
                var said = $"no response within {Failures.FormatDuration(requestTimeout)} {RpcFailure.RequestTimeoutPhrase}";
                Report(OrdererOutcome.NoResponse, null, said);
                attempts.Add(new EndpointDetail(orderer.Address, null, said));
            }
            catch (RpcException e)
            {
                allUnreachable = false;
                var said = RpcFailure.Describe(e, orderer.Connection);
                Report(OrdererOutcome.Failed, null, said);
                attempts.Add(new EndpointDetail(orderer.Address, null, said));
            }
        }

        if (allUnreachable)
        {
            throw orderers.Count == 1
                ? Failures.Connection("orderer", orderers[0].Address, attempts[0].Message, txId: txId, needsClientCertificate: needsClientCertificate)
                : Failures.NoOrdererReachable(txId, attempts);
        }

        throw orderers.Count == 1
            ? Failures.Ordering(txId, orderers[0].Address, attempts[0].Message, sendState, lastStatus)
            : Failures.NoOrdererAccepted(txId, attempts, sendState, lastStatus);
    }

    /// <summary>
    /// BFT: the envelope goes to every orderer at once (none retried: a stopped orderer must not delay the others); the
    /// submit succeeds as soon as a quorum accepted it and fails as soon as too many failed for a quorum to remain possible.
    /// </summary>
    private static async Task<SubmittedTransaction> SubmitToAllAsync(
        EndorsedTransaction transaction, IReadOnlyList<OrdererNode> orderers, TimeSpan requestTimeout, CancellationToken cancellationToken, PreparedBroadcast? prepared,
        ChannelOrdering ordering, Action<OrdererAttempt> tried)
    {
        var txId = transaction.TxId;
        var time = orderers[0].Connection.Time;
        var observer = orderers[0].Connection.Observer;
        var started = time.GetTimestamp();
        var connectingSince = prepared?.OpenedAt ?? started;
        var quorum = ordering.Quorum(orderers.Count);
        var settled = new InFlight();
        var outcomes = new List<OrdererAttempt>();
        var sending = new List<Task<OrdererAttempt>>();
        for (var i = 0; i < orderers.Count; i++)
        {
            tried(new OrdererAttempt(i, orderers[i].Address, OrdererOutcome.Pending, null, string.Empty, TimeSpan.Zero));
        }

        for (var i = 0; i < orderers.Count; i++)
        {
            var address = orderers[i].Address;
            sending.Add(TryOneAsync(i, orderers[i], transaction, requestTimeout, prepared, settled, tried, () => observer.Broadcasting(txId, address), cancellationToken));
        }

        var remaining = sending.ToList();
        var accepted = new List<OrdererAttempt>();
        var failed = 0;
        Status? lastStatus = null;
        while (remaining.Count > 0)
        {
            var done = await Task.WhenAny(remaining).ConfigureAwait(false);
            remaining.Remove(done);
            OrdererAttempt attempt;
            try
            {
                attempt = await done.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw Failures.Interrupted(txId, SendState.MaybeSent);
            }

            outcomes.Add(attempt);
            if (attempt.Outcome == OrdererOutcome.Accepted)
            {
                accepted.Add(attempt);
                if (accepted.Count >= quorum)
                {
                    settled.Value = true;
                    var first = orderers[accepted[0].Index];
                    var (connect, tls) = first.Connection.Timings.EstablishedSince(connectingSince, time);
                    return new SubmittedTransaction(transaction, first.Address, time.GetElapsedTime(started), time.GetTimestamp(), connect: connect, tls: tls)
                    {
                        Attempts = outcomes.ToList(),
                        Quorum = quorum,
                        AcceptedBy = accepted.Select(a => a.Address).ToList(),
                    };
                }

                continue;
            }

            failed++;
            lastStatus = attempt.BroadcastStatus ?? lastStatus;

            if (failed > orderers.Count - quorum)
            {
                break;
            }
        }

        // Too many failed for a quorum (Fabric's Gateway stops there too): those not yet answered are named as such.
        settled.Value = true;
        var answered = outcomes.Select(a => a.Index).ToHashSet();
        var details = outcomes
            .Concat(Enumerable.Range(0, orderers.Count).Where(i => !answered.Contains(i)).Select(i => new OrdererAttempt(i, orderers[i].Address, OrdererOutcome.Pending, null, string.Empty, time.GetElapsedTime(started))))
            .OrderBy(a => a.Index)
            .Select(a => new EndpointDetail(a.Address, null, Said(a, requestTimeout)))
            .ToList();
        if (outcomes.All(a => a.Outcome == OrdererOutcome.Unreachable) && remaining.Count == 0)
        {
            throw orderers.Count == 1
                ? Failures.Connection("orderer", orderers[0].Address, details[0].Message, txId: txId)
                : Failures.NoOrdererReachable(txId, details);
        }

        // An orderer that accepted it (or may have it, or has not answered yet) may still have it ordered.
        var sendState = accepted.Count > 0 || remaining.Count > 0 || outcomes.Any(a => a.Outcome is OrdererOutcome.NoResponse or OrdererOutcome.Failed)
            ? SendState.MaybeSent
            : SendState.NotSent;
        throw Failures.BftQuorumNotMet(txId, accepted.Count, orderers.Count, quorum, details, sendState, lastStatus);
    }

    /// <summary>One BFT orderer: sends once and returns its outcome (reported through <paramref name="tried"/> too); throws only when cancelled by the caller.</summary>
    private static async Task<OrdererAttempt> TryOneAsync(
        int index, OrdererNode orderer, EndorsedTransaction transaction, TimeSpan requestTimeout, PreparedBroadcast? prepared, InFlight settled,
        Action<OrdererAttempt> tried, Action written, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var time = orderer.Connection.Time;
        var since = time.GetTimestamp();
        OrdererAttempt Outcome(OrdererOutcome outcome, string? status, string message) =>
            new(index, orderer.Address, outcome, status, message, time.GetElapsedTime(since));

        OrdererAttempt attempt;
        try
        {
            var response = await SendOnceAsync(orderer, transaction.Envelope, requestTimeout, new InFlight(), written, prepared, cancellationToken).ConfigureAwait(false);
            attempt = Outcome(IsAccepted(response) ? OrdererOutcome.Accepted : OrdererOutcome.Refused, FabricNames.Of(response.Status), response.Info) with { BroadcastStatus = response.Status };
        }
        catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
        {
            attempt = Outcome(OrdererOutcome.Unreachable, null, RpcFailure.Describe(e, orderer.Connection));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when ((e is RpcException { StatusCode: StatusCode.DeadlineExceeded })
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            attempt = Outcome(OrdererOutcome.NoResponse, null, $"no response within {Failures.FormatDuration(requestTimeout)} {RpcFailure.RequestTimeoutPhrase}");
        }
        catch (RpcException e)
        {
            // After the submit settled, the command may be closing its connections: not worth a report.
            if (settled.Value && e.StatusCode == StatusCode.Cancelled)
            {
                return Outcome(OrdererOutcome.Pending, null, string.Empty);
            }

            attempt = Outcome(OrdererOutcome.Failed, null, RpcFailure.Describe(e, orderer.Connection));
        }
        catch (ObjectDisposedException) when (settled.Value)
        {
            return Outcome(OrdererOutcome.Pending, null, string.Empty);
        }

        tried(attempt);
        return attempt;
    }

    /// <summary>
    /// SUCCESS; or an answer saying the orderer already has the transaction (SmartBFT's request pool: "request already
    /// exists", "request already processed"), which Fabric's Gateway counts as accepted too.
    /// </summary>
    internal static bool IsAccepted(BroadcastResponse response) =>
        response.Status == Status.Success
        || response.Info.Contains("request already exists", StringComparison.OrdinalIgnoreCase)
        || response.Info.Contains("request already processed", StringComparison.OrdinalIgnoreCase);

    private static string Said(OrdererAttempt a, TimeSpan requestTimeout) => a.Outcome switch
    {
        OrdererOutcome.Accepted => a.Message.Length == 0 ? "accepted" : $"accepted ({a.Message})",
        OrdererOutcome.Refused => $"got unexpected status: {a.Status} -- {a.Message}",
        OrdererOutcome.Pending => "no answer yet",
        _ => a.Message,
    };

    /// <summary>
    /// One attempt on one orderer. While it runs the envelope may be on its way (<paramref name="inFlight"/>), unless the
    /// attempt fails to connect at all: then the orderer certainly never saw it. The first attempt on the orderer of
    /// <paramref name="prepared"/> writes to its stream, bounding the answer by the request timeout from now.
    /// </summary>
    private static async Task<BroadcastResponse> SendOnceAsync(
        OrdererNode orderer, Envelope envelope, TimeSpan requestTimeout, InFlight inFlight, Action written, PreparedBroadcast? prepared, CancellationToken cancellationToken)
    {
        var time = orderer.Connection.Time;
        var opened = ReferenceEquals(prepared?.Orderer, orderer) ? prepared!.Take() : null;
        using var deadline = opened is null ? null : new CancellationTokenSource(requestTimeout, time);
        using var bounded = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = bounded?.Token ?? cancellationToken;
        using var call = opened ?? orderer.Calls.AsyncDuplexStreamingCall(
            FabricCalls.Broadcast, null, new CallOptions(deadline: time.GetUtcNow().UtcDateTime + requestTimeout, cancellationToken: cancellationToken));
        inFlight.Value = true;
        try
        {
            if (await StreamWrites.TryWriteAsync(call.RequestStream, envelope, token).ConfigureAwait(false))
            {
                written();
            }

            if (!await StreamWrites.MoveNextAsync(call, token).ConfigureAwait(false))
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "broadcast stream closed without a response"));
            }

            var response = call.ResponseStream.Current;
            inFlight.Value = false;
            await StreamWrites.TryCompleteAsync(call.RequestStream).ConfigureAwait(false);
            return response;
        }
        catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
        {
            inFlight.Value = false;
            throw;
        }
    }

    /// <summary>Whether an attempt that may have delivered the envelope is under way.</summary>
    private sealed class InFlight
    {
        private volatile bool _value;

        public bool Value
        {
            get => _value;
            set => _value = value;
        }
    }
}
