using System.Diagnostics;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using Grpc.Core;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.Core.Ordering;

/// <summary>Sends a signed transaction envelope to the orderers, in the order given, until one accepts it.</summary>
public static class Broadcaster
{
    /// <summary>
    /// Tries each orderer in turn: an unreachable orderer or SERVICE_UNAVAILABLE moves on to the next;
    /// any other non-SUCCESS status fails at once (another orderer of the same channel would refuse it too).
    /// </summary>
    /// <exception cref="FabricInvokeException">
    /// Connection when no orderer could be reached; Ordering when an orderer refused the transaction.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<BroadcastResult> BroadcastAsync(
        IReadOnlyList<OrdererNode> orderers, Envelope envelope, string txId, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderers);
        if (orderers.Count == 0)
        {
            throw Failures.Usage("no orderer given: use -o/--orderer host:port");
        }

        var attempts = new List<string>();
        var allUnreachable = true;

        // An orderer that took the envelope but did not answer in time may still order it.
        var unanswered = false;
        foreach (var orderer in orderers)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var response = await ConnectRetry.RunAsync(
                    () => SendOnceAsync(orderer, envelope, requestTimeout, cancellationToken), orderer.Connection, cancellationToken).ConfigureAwait(false);
                if (response.Status == Status.Success)
                {
                    return new BroadcastResult(orderer.Address, Stopwatch.GetElapsedTime(started));
                }

                allUnreachable = false;
                var said = $"got unexpected status: {FabricNames.Of(response.Status)} -- {response.Info}";
                if (response.Status != Status.ServiceUnavailable)
                {
                    throw Failed(orderer.Address, said, attempts, txId);
                }

                attempts.Add($"{orderer.Address}: {said}");
            }
            catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
            {
                attempts.Add($"{orderer.Address}: {RpcFailure.Describe(e)}");
            }
            catch (Exception e) when ((e is RpcException { StatusCode: StatusCode.DeadlineExceeded })
                                       || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The channel reports a passed deadline as a cancellation; only the caller's token means "stop".
                allUnreachable = false;
                unanswered = true;
                attempts.Add($"{orderer.Address}: no response within {Failures.FormatDuration(requestTimeout)} (requestTimeout)");
            }
            catch (RpcException e)
            {
                allUnreachable = false;
                attempts.Add($"{orderer.Address}: {RpcFailure.Describe(e)}");
            }
        }

        if (allUnreachable)
        {
            var address = orderers.Count == 1 ? orderers[0].Address : string.Join(", ", orderers.Select(o => o.Address));
            var problem = orderers.Count == 1 ? attempts[0][(orderers[0].Address.Length + 2)..] : string.Join("; ", attempts);
            throw Failures.Connection(orderers.Count == 1 ? "orderer" : "any orderer of", address, problem, txId: txId);
        }

        var unknown = unanswered ? "; the transaction may still be ordered: re-check the txid before re-submitting" : "";
        throw orderers.Count == 1
            ? new FabricInvokeException(FailureKind.Ordering, $"error sending transaction for invoke to orderer {orderers[0].Address}: {attempts[0][(orderers[0].Address.Length + 2)..]}{unknown}")
            {
                TxId = txId,
                Target = orderers[0].Address,
                MayHaveCommitted = unanswered,
            }
            : new FabricInvokeException(FailureKind.Ordering, $"error sending transaction for invoke: no orderer accepted it ({string.Join("; ", attempts)}){unknown}")
            {
                TxId = txId,
                MayHaveCommitted = unanswered,
            };
    }

    private static FabricInvokeException Failed(string address, string said, List<string> earlier, string txId)
    {
        if (earlier.Count == 0)
        {
            return Failures.Ordering(txId, address, said);
        }

        return new FabricInvokeException(FailureKind.Ordering,
            $"error sending transaction for invoke to orderer {address}: {said} (earlier: {string.Join("; ", earlier)})") { TxId = txId, Target = address };
    }

    private static async Task<BroadcastResponse> SendOnceAsync(OrdererNode orderer, Envelope envelope, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        using var call = orderer.Broadcast.Broadcast(deadline: DateTime.UtcNow + requestTimeout, cancellationToken: cancellationToken);
        await StreamWrites.TryWriteAsync(call.RequestStream, envelope, cancellationToken).ConfigureAwait(false);
        if (!await StreamWrites.MoveNextAsync(call, cancellationToken).ConfigureAwait(false))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "broadcast stream closed without a response"));
        }

        var response = call.ResponseStream.Current;
        await StreamWrites.TryCompleteAsync(call.RequestStream).ConfigureAwait(false);
        return response;
    }
}
