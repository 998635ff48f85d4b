using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using Grpc.Core;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.Core.Ordering;

/// <summary>The ordering stage: sends the signed transaction to the orderers, in the order given, until one accepts it.</summary>
public static class Broadcaster
{
    /// <summary>
    /// Tries each orderer in turn: an unreachable orderer or SERVICE_UNAVAILABLE moves on to the next; any other
    /// non-SUCCESS status fails at once (another orderer of the same channel would refuse it too).
    /// </summary>
    /// <param name="requestTimeout">Deadline for each orderer's answer (--requestTimeout).</param>
    /// <param name="prepared">
    /// The first orderer's stream, opened while the peers endorsed (<see cref="PreparedBroadcast.Open"/>); its first
    /// attempt uses it. Retries and the other orderers open their own calls, exactly as without it.
    /// </param>
    /// <exception cref="FabricInvokeException">
    /// Connection when no orderer could be reached; Ordering when an orderer refused the transaction or did not answer
    /// (then <see cref="SendState.MaybeSent"/>); Interrupted when <paramref name="cancellationToken"/> was cancelled, saying
    /// whether an orderer may already have the envelope.
    /// </exception>
    public static async Task<SubmittedTransaction> SubmitAsync(
        EndorsedTransaction transaction, IReadOnlyList<OrdererNode> orderers, TimeSpan requestTimeout, CancellationToken cancellationToken, PreparedBroadcast? prepared = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(orderers);
        var txId = transaction.TxId;
        if (orderers.Count == 0)
        {
            throw Failures.Usage("no orderer given: use -o/--orderer host:port");
        }

        var envelope = transaction.Envelope;
        var time = orderers[0].Connection.Time;
        var observer = orderers[0].Connection.Observer;
        var started = time.GetTimestamp();
        var connectingSince = prepared?.OpenedAt ?? started;
        var attempts = new List<EndpointDetail>();
        var allUnreachable = true;
        Status? lastStatus = null;

        // An orderer that took the envelope but did not answer may still order it; so may one that is being sent it.
        var sendState = SendState.NotSent;
        var inFlight = new InFlight();
        foreach (var orderer in orderers)
        {
            try
            {
                var response = await ConnectRetry.RunAsync(
                    () => SendOnceAsync(orderer, envelope, requestTimeout, inFlight, () => observer.Broadcasting(txId, orderer.Address), prepared, cancellationToken),
                    orderer.Connection,
                    cancellationToken).ConfigureAwait(false);
                if (response.Status == Status.Success)
                {
                    var (connect, tls) = orderer.Connection.Timings.EstablishedSince(connectingSince, time);
                    return new SubmittedTransaction(transaction, orderer.Address, time.GetElapsedTime(started), time.GetTimestamp(), connect: connect, tls: tls);
                }

                allUnreachable = false;
                lastStatus = response.Status;
                var said = $"got unexpected status: {FabricNames.Of(response.Status)} -- {response.Info}";
                if (response.Status != Status.ServiceUnavailable)
                {
                    throw Failures.Ordering(txId, orderer.Address, said, sendState, response.Status, earlier: attempts);
                }

                attempts.Add(new EndpointDetail(orderer.Address, null, said));
            }
            catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
            {
                attempts.Add(new EndpointDetail(orderer.Address, null, RpcFailure.Describe(e, orderer.Connection)));
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
                attempts.Add(new EndpointDetail(orderer.Address, null, $"no response within {Failures.FormatDuration(requestTimeout)} (requestTimeout)"));
            }
            catch (RpcException e)
            {
                allUnreachable = false;
                attempts.Add(new EndpointDetail(orderer.Address, null, RpcFailure.Describe(e, orderer.Connection)));
            }
        }

        if (allUnreachable)
        {
            throw orderers.Count == 1
                ? Failures.Connection("orderer", orderers[0].Address, attempts[0].Message, txId: txId, needsClientCertificate: orderers[0].Connection.ClientCertificateRefusal is not null)
                : Failures.NoOrdererReachable(txId, attempts);
        }

        throw orderers.Count == 1
            ? Failures.Ordering(txId, orderers[0].Address, attempts[0].Message, sendState, lastStatus)
            : Failures.NoOrdererAccepted(txId, attempts, sendState, lastStatus);
    }

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
        public bool Value { get; set; }
    }
}
