using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core.Invocation;

/// <summary>
/// One <c>chaincode invoke</c> run through the library's stages over a front end's connections: a
/// <see cref="FabricClient"/> over them → <see cref="Contract.NewProposal(ChaincodeInvocation, IReadOnlyList{string}, InvokeTrace?)"/>
/// → <see cref="Proposal.EndorseAsync(bool, CancellationToken)"/> (the submit readied alongside) →
/// <see cref="Transaction.SubmitAsync"/> → <see cref="Commit.GetStatusAsync"/>. The stages compose; this class only
/// says what "interrupted" means at each point.
/// </summary>
internal sealed class ChaincodeInvoker
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
        trace ??= new InvokeTrace(options.Invocation, connections.Time);
        using var client = FabricClient.Over(
            connections, options.Gateway ? SubmitPath.Gateway : SubmitPath.Direct, options.RequestTimeout, options.WaitForEventTimeout,
            new StageSettings(options.WaitForEvent, options.WaitFor), _observer);
        var proposal = client.GetNetwork(options.Invocation.ChannelId).GetContract(options.Invocation.ChaincodeName)
            .NewProposal(options.Invocation, options.EndorsingOrganizations, trace);
        Transaction? transaction = null;
        try
        {
            transaction = await proposal.EndorseAsync(prepareSubmit: true, cancellationToken).ConfigureAwait(false);
            using var commit = await transaction.SubmitAsync(cancellationToken).ConfigureAwait(false);
            if (options.WaitForEvent)
            {
                await commit.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            }

            trace.Finished();
            return trace.Snapshot();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw Failures.Interrupted(proposal.TxId, transaction?.SendState ?? SendState.NotSent);
        }
        finally
        {
            trace.Finished();
        }
    }
}
