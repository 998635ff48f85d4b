using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Internal;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core.Invocation;

/// <summary>
/// Composes the stages for one <c>chaincode invoke</c>: <see cref="ChaincodeProposal"/> → <see cref="Endorser"/> →
/// (<see cref="DeliverGroup.ConnectAsync"/>) → <see cref="Broadcaster"/> → (<see cref="DeliverGroup.WaitAsync"/>).
/// Each stage words its own failures; this class only decides what "interrupted" means at each point.
/// </summary>
public sealed class ChaincodeInvoker
{
    private readonly IProgressObserver _observer;

    public ChaincodeInvoker(IProgressObserver? observer = null)
    {
        _observer = observer ?? IProgressObserver.None;
    }

    /// <summary>Invokes the chaincode through <paramref name="connections"/>.</summary>
    /// <param name="trace">Records the stages as they complete, so a caller can report a failure with what was done; optional.</param>
    /// <exception cref="FabricInvokeException">
    /// Every failure a user can meet: its <see cref="FabricInvokeException.Kind"/> is the stage that failed and its
    /// <see cref="FabricInvokeException.SendState"/> says whether the transaction may still commit. Ctrl-C is
    /// <see cref="FailureKind.Interrupted"/>.
    /// </exception>
    public async Task<InvokeResult> InvokeAsync(ChaincodeCmdFactory connections, InvokeOptions options, InvokeTrace? trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(options);
        var time = connections.Time;
        trace ??= new InvokeTrace(options.Invocation, time);
        var proposal = ChaincodeProposal.Create(options.Invocation, connections.Signer, time);
        trace.Proposed(proposal);
        _observer.ProposalCreated(proposal.TxId);

        var sendState = SendState.NotSent;
        try
        {
            // The deliver streams are opened while the peers endorse (each answers with its current block meanwhile);
            // the broadcast still waits for both, so no block can be missed. The first failure of either stops the other.
            using var deliver = options.WaitForEvent
                ? new DeliverGroup(connections.Peers, connections.Signer, proposal.ChannelId, connections.BindTlsCertHash, options.WaitForEventTimeout)
                : null;
            using var together = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var endorsing = EndorseAsync(proposal, connections, options, trace, together.Token);
            var connecting = deliver is null ? Task.CompletedTask : ConnectAsync(deliver, proposal.TxId, connections, trace, together.Token);
            await FanOut.WhenBothFailFast(endorsing, connecting, together).ConfigureAwait(false);
            var endorsed = await endorsing.ConfigureAwait(false);

            _observer.Submitting(proposal.TxId);
            var submitted = await Broadcaster.SubmitAsync(endorsed, connections.Orderers, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            sendState = SendState.Sent;
            trace.Submitted(submitted);
            _observer.Submitted(submitted);

            if (deliver is not null)
            {
                var status = await deliver.WaitAsync(submitted, commit =>
                {
                    trace.Committed(commit);
                    _observer.Committed(proposal.TxId, commit);
                }, cancellationToken).ConfigureAwait(false);
                trace.CommitWaitEnded(status.Elapsed);
            }

            trace.Finished();
            return trace.Snapshot();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw Failures.Interrupted(proposal.TxId, sendState);
        }
        finally
        {
            trace.Finished();
        }
    }

    private async Task<EndorsedTransaction> EndorseAsync(
        ChaincodeProposal proposal, ChaincodeCmdFactory connections, InvokeOptions options, InvokeTrace trace, CancellationToken cancellationToken)
    {
        var endorsed = await Endorser.EndorseAsync(proposal, connections.Peers, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        trace.Endorsed(endorsed);
        _observer.Endorsed(endorsed);
        return endorsed;
    }

    private async Task ConnectAsync(DeliverGroup deliver, string txId, ChaincodeCmdFactory connections, InvokeTrace trace, CancellationToken cancellationToken)
    {
        var started = connections.Time.GetTimestamp();
        await deliver.ConnectAsync(txId, cancellationToken).ConfigureAwait(false);
        trace.DeliverConnected(connections.Time.GetElapsedTime(started));
        _observer.DeliverConnected(txId, connections.Peers.Count);
    }
}
