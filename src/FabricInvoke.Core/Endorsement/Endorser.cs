using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Internal;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

namespace FabricInvoke.Core.Endorsement;

/// <summary>What an endorsement is for: a transaction to order, or a query whose answer is all that is wanted.</summary>
internal enum EndorseOperation
{
    /// <summary>An invoke: the endorsements become a transaction.</summary>
    Invoke,

    /// <summary>A query (an evaluation): nothing is ordered.</summary>
    Query,
}

/// <summary>The endorsement stage: sends one signed proposal to peers in parallel and checks the answers agree.</summary>
internal static class Endorser
{
    /// <summary>
    /// Collects an endorsement from every peer in <paramref name="peers"/>. The first failure cancels the other calls
    /// and is reported with its peer address; a response status outside [200, 400) is a failure.
    /// </summary>
    /// <param name="requestTimeout">Deadline for each peer's call (--requestTimeout; the peer CLI has none).</param>
    /// <exception cref="FabricInvokeException">
    /// Connection (a peer unreachable) or Endorsement (refused, error status, no answer in time, payloads that differ).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <param name="operation">What the endorsement is for, as the messages say it (the peer CLI says "endorsement failure during query").</param>
    public static async Task<EndorsedTransaction> EndorseAsync(
        SignedChaincodeProposal proposal, IReadOnlyList<PeerNode> peers, TimeSpan requestTimeout, CancellationToken cancellationToken, EndorseOperation operation = EndorseOperation.Invoke)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentOutOfRangeException.ThrowIfZero(peers.Count);
        var time = peers[0].Connection.Time;
        var started = time.GetTimestamp();
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = peers.Select(p => EndorseOneAsync(p, proposal, requestTimeout, failFast, operation)).ToList();
        var results = await FanOut.WhenAllFailFast(tasks, failFast).ConfigureAwait(false);
        CheckPayloadsMatch(results, proposal.TxId);
        return EndorsedTransaction.FromPeers(
            proposal,
            results.Select(r => r.Response).ToList(),
            results.Select(r => r.Endorsement).ToList(),
            time.GetElapsedTime(started));
    }

    private static async Task<(PeerEndorsement Endorsement, ProposalResponse Response)> EndorseOneAsync(
        PeerNode peer, SignedChaincodeProposal proposal, TimeSpan requestTimeout, CancellationTokenSource failFast, EndorseOperation operation)
    {
        var time = peer.Connection.Time;
        var started = time.GetTimestamp();
        var txId = proposal.TxId;
        ProposalResponse response;
        try
        {
            response = await ConnectRetry.RunAsync(
                () => peer.Calls.AsyncUnaryCall(
                    FabricCalls.ProcessProposal, null, new CallOptions(deadline: time.GetUtcNow().UtcDateTime + requestTimeout, cancellationToken: failFast.Token), proposal.Signed).ResponseAsync,
                peer.Connection,
                failFast.Token).ConfigureAwait(false);
        }
        catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
        {
            throw Failures.Connection("peer", peer.Address, RpcFailure.Describe(e, peer.Connection), e, txId, needsClientCertificate: RpcFailure.NeedsClientCertificate(e, peer.Connection));
        }
        catch (Exception e) when ((e is RpcException { StatusCode: StatusCode.DeadlineExceeded })
                                   || (e is OperationCanceledException && !failFast.IsCancellationRequested))
        {
            // The channel may report a passed deadline as a cancellation; only our own token means "stop".
            throw Failures.Endorsement(txId, peer.Address, $"no response within {Failures.FormatDuration(requestTimeout)} {RpcFailure.RequestTimeoutPhrase}", e, StatusCode.DeadlineExceeded, operation: operation);
        }
        catch (RpcException e)
        {
            throw Failures.Endorsement(txId, peer.Address, $"error endorsing {Failures.Word(operation)}: " + RpcFailure.Describe(e, peer.Connection), e, e.StatusCode, operation: operation);
        }

        if (response.Response is null)
        {
            throw Failures.Endorsement(txId, peer.Address, "received a proposal response without a response", operation: operation);
        }

        var status = response.Response.Status;
        if (status is < 200 or >= 400)
        {
            throw Failures.Endorsement(txId, peer.Address, $"response: status:{status} message:\"{response.Response.Message}\"", chaincodeStatus: status, operation: operation);
        }

        if (response.Endorsement is null)
        {
            throw Failures.Endorsement(txId, peer.Address, $"status {status} but no endorsement in the proposal response", chaincodeStatus: status, operation: operation);
        }

        var (connect, tls) = peer.Connection.Timings.EstablishedSince(started, time);
        var mspId = EndorsedTransaction.MspIdOf(response.Endorsement.Endorser);
        return (new PeerEndorsement(peer.Address, mspId, status, response.Response.Message, time.GetElapsedTime(started), connect, tls), response);
    }

    private static void CheckPayloadsMatch(IReadOnlyList<(PeerEndorsement Endorsement, ProposalResponse Response)> results, string txId)
    {
        var (first, firstResponse) = results[0];
        foreach (var (other, otherResponse) in results.Skip(1))
        {
            if (!otherResponse.Payload.Span.SequenceEqual(firstResponse.Payload.Span))
            {
                throw Failures.EndorsementMismatch(txId,
                    $"ProposalResponsePayloads do not match: peer {first.Address} and peer {other.Address} simulated different results " +
                    $"(chaincode responses: status:{firstResponse.Response.Status} payload:{ProtoText.Bytes(firstResponse.Response.Payload.Span)} vs " +
                    $"status:{otherResponse.Response.Status} payload:{ProtoText.Bytes(otherResponse.Response.Payload.Span)})",
                    [first.Address, other.Address]);
            }
        }
    }
}
