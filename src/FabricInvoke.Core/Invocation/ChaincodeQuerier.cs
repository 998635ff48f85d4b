using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
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
/// <c>chaincode query</c> through the library's stages over a front end's connections: a proposal evaluated on the
/// first peer (or every peer), its answer returned and nothing ordered — or the Gateway's Evaluate.
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
        using var client = FabricClient.Over(
            connections, options.Gateway ? SubmitPath.Gateway : SubmitPath.Direct, options.RequestTimeout, options.RequestTimeout,
            new StageSettings(false, Delivery.CommitPolicy.All), _observer);
        var proposal = client.GetNetwork(options.Invocation.ChannelId).GetContract(options.Invocation.ChaincodeName)
            .NewProposal(options.Invocation, [], trace);
        var started = connections.Time.GetTimestamp();
        try
        {
            var (result, endorsements) = await proposal.EvaluateAsync(options.QueryAll, cancellationToken).ConfigureAwait(false);
            trace.Finished();
            var elapsed = trace.Snapshot().Timings.Endorse;
            return new QueryResult(proposal.TxId, options.Invocation.ChannelId, options.Invocation.ChaincodeName, result, endorsements,
                elapsed == TimeSpan.Zero ? connections.Time.GetElapsedTime(started) : elapsed);
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
