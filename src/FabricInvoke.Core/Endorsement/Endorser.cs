using System.Diagnostics;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Peer;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Internal;
using Grpc.Core;

namespace FabricInvoke.Core.Endorsement;

/// <summary>Sends one signed proposal to every peer in parallel and checks the answers agree.</summary>
public static class Endorser
{
    /// <summary>
    /// Collects an endorsement from every peer. The first failure cancels the other calls and is reported
    /// with its peer address; a response status outside [200, 400) is a failure.
    /// </summary>
    /// <exception cref="FabricInvokeException">Connection (peer unreachable) or Endorsement (refused, error status, payload mismatch).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<IReadOnlyList<EndorsementResult>> EndorseAllAsync(
        IReadOnlyList<PeerNode> peers, SignedProposal proposal, string txId, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peers);
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = peers.Select(p => EndorseOneAsync(p, proposal, txId, requestTimeout, failFast)).ToList();
        var results = await FanOut.WhenAllFailFast(tasks, failFast).ConfigureAwait(false);
        CheckPayloadsMatch(results, txId);
        return results;
    }

    private static async Task<EndorsementResult> EndorseOneAsync(
        PeerNode peer, SignedProposal proposal, string txId, TimeSpan requestTimeout, CancellationTokenSource failFast)
    {
        var started = Stopwatch.GetTimestamp();
        ProposalResponse response;
        try
        {
            response = await ConnectRetry.RunAsync(
                () => peer.Endorser.ProcessProposalAsync(proposal, deadline: DateTime.UtcNow + requestTimeout, cancellationToken: failFast.Token).ResponseAsync,
                peer.Connection,
                failFast.Token).ConfigureAwait(false);
        }
        catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
        {
            throw Failures.Connection("peer", peer.Address, RpcFailure.Describe(e), e);
        }
        catch (Exception e) when ((e is RpcException { StatusCode: StatusCode.DeadlineExceeded })
                                   || (e is OperationCanceledException && !failFast.IsCancellationRequested))
        {
            // The channel reports a passed deadline as a cancellation; only our own token means "stop".
            throw Failures.Endorsement(txId, peer.Address, $"no response within {Failures.FormatDuration(requestTimeout)} (requestTimeout)", e);
        }
        catch (RpcException e)
        {
            throw Failures.Endorsement(txId, peer.Address, "error endorsing invoke: " + RpcFailure.Describe(e), e);
        }

        if (response.Response is null)
        {
            throw Failures.Endorsement(txId, peer.Address, "received a proposal response without a response");
        }

        var status = response.Response.Status;
        if (status is < 200 or >= 400)
        {
            throw Failures.Endorsement(txId, peer.Address, $"response: status:{status} message:\"{RpcFailure.OneLine(response.Response.Message)}\"");
        }

        if (response.Endorsement is null)
        {
            throw Failures.Endorsement(txId, peer.Address, $"status {status} but no endorsement in the proposal response");
        }

        return new EndorsementResult(peer.Address, response, Stopwatch.GetElapsedTime(started));
    }

    private static void CheckPayloadsMatch(IReadOnlyList<EndorsementResult> results, string txId)
    {
        var first = results[0];
        foreach (var other in results.Skip(1))
        {
            if (!other.Response.Payload.Span.SequenceEqual(first.Response.Payload.Span))
            {
                throw Failures.EndorsementMismatch(txId,
                    $"ProposalResponsePayloads do not match: peer {first.Address} and peer {other.Address} simulated different results " +
                    $"(chaincode responses: status:{first.Response.Response.Status} payload:{ProtoText.Bytes(first.Response.Response.Payload.Span)} vs " +
                    $"status:{other.Response.Response.Status} payload:{ProtoText.Bytes(other.Response.Response.Payload.Span)})");
            }
        }
    }
}
