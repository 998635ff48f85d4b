using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Gateway;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core.Invocation;

/// <summary>What one <c>chaincode query</c> does.</summary>
internal sealed record QueryOptions
{
    public required ChaincodeInvocation Invocation { get; init; }

    /// <summary>Deadline for each peer's (or the gateway's) answer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Ask every peer given, and fail when their answers differ (default: the first peer only, as the peer CLI).</summary>
    public bool QueryAll { get; init; }

    /// <summary>Evaluate through the first peer's Gateway service.</summary>
    public bool Gateway { get; init; }
}

/// <summary>What a query returned: the chaincode's answer, and which peers (or gateway) gave it.</summary>
/// <param name="TxId">The query proposal's transaction id (nothing is ordered under it).</param>
/// <param name="ChannelId">The channel queried.</param>
/// <param name="ChaincodeName">The chaincode queried.</param>
/// <param name="Result">The chaincode's response (status, message, payload); identical on every peer asked.</param>
/// <param name="Endorsements">Per peer asked, in the order given (one entry, the gateway, through a Gateway).</param>
/// <param name="Elapsed">Wall time of the evaluation.</param>
internal sealed record QueryResult(
    string TxId, string ChannelId, string ChaincodeName, ChaincodeResponse Result, IReadOnlyList<PeerEndorsement> Endorsements, TimeSpan Elapsed);

/// <summary>
/// <c>chaincode query</c>: the endorse stage alone — a proposal evaluated on the first peer (or every peer), its answer
/// returned and nothing ordered — or the Gateway's Evaluate.
/// </summary>
internal sealed class ChaincodeQuerier
{
    private readonly IProgressObserver _observer;

    public ChaincodeQuerier(IProgressObserver? observer = null)
    {
        _observer = observer ?? IProgressObserver.None;
    }

    /// <param name="trace">Records what was done (with timings, for a front end's report, also of a failure); optional.</param>
    /// <returns>The chaincode's answer and who gave it.</returns>
    /// <exception cref="FabricInvokeException">Connection, Endorsement (an error status, peers that disagree), Interrupted.</exception>
    public async Task<QueryResult> QueryAsync(ChaincodeCmdFactory connections, QueryOptions options, InvokeTrace? trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(options);
        trace ??= new InvokeTrace(options.Invocation, connections.Time);
        var proposal = SignedChaincodeProposal.Create(options.Invocation, connections.Signer, connections.Time);
        trace.Proposed(proposal);
        _observer.ProposalCreated(proposal.TxId);
        try
        {
            QueryResult answer;
            if (options.Gateway)
            {
                var time = connections.Time;
                var started = time.GetTimestamp();
                var gateway = new GatewayClient(connections.Peers[0], connections.Signer);
                var result = await gateway.EvaluateAsync(proposal, [], options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                var by = new PeerEndorsement(gateway.Address, null, result.Status, result.Message, time.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.Zero);
                trace.Evaluated(result, by, time.GetElapsedTime(started));
                answer = new QueryResult(proposal.TxId, proposal.ChannelId, proposal.ChaincodeName, result, [by], by.Latency);
            }
            else
            {
                var peers = options.QueryAll ? connections.Peers : [connections.Peers[0]];
                var endorsed = await Endorser.EndorseAsync(proposal, peers, options.RequestTimeout, cancellationToken, EndorseOperation.Query).ConfigureAwait(false);
                trace.Endorsed(endorsed);
                _observer.Endorsed(endorsed);
                answer = new QueryResult(proposal.TxId, proposal.ChannelId, proposal.ChaincodeName, endorsed.Result, endorsed.Endorsements, endorsed.Elapsed);
            }

            trace.Finished();
            return answer;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw Failures.Interrupted(proposal.TxId, SendState.NotSent);
        }
        finally
        {
            trace.Finished();
        }
    }
}
