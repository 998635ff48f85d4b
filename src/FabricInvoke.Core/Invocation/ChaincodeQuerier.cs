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

    /// <param name="trace">Records what was done, for reporting a failure; optional.</param>
    /// <exception cref="FabricInvokeException">Connection, Endorsement (an error status, peers that disagree), Interrupted.</exception>
    public async Task<InvokeResult> QueryAsync(ChaincodeCmdFactory connections, QueryOptions options, InvokeTrace? trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(options);
        trace ??= new InvokeTrace(options.Invocation, connections.Time);
        var proposal = ChaincodeProposal.Create(options.Invocation, connections.Signer, connections.Time);
        trace.Proposed(proposal);
        _observer.ProposalCreated(proposal.TxId);
        try
        {
            if (options.Gateway)
            {
                var time = connections.Time;
                var started = time.GetTimestamp();
                var gateway = new GatewayClient(connections.Peers[0], connections.Signer);
                var result = await gateway.EvaluateAsync(proposal, [], options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                trace.Evaluated(result, new PeerEndorsement(gateway.Address, null, result.Status, result.Message, time.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.Zero),
                    time.GetElapsedTime(started));
            }
            else
            {
                var peers = options.QueryAll ? connections.Peers : [connections.Peers[0]];
                var endorsed = await Endorser.EndorseAsync(proposal, peers, options.RequestTimeout, cancellationToken, "query").ConfigureAwait(false);
                trace.Endorsed(endorsed);
                _observer.Endorsed(endorsed);
            }

            trace.Finished();
            return trace.Snapshot();
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
