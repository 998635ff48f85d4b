using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Gateway;
using FabricInvoke.Core.Internal;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core.Invocation;

/// <summary>
/// Composes the stages for one <c>chaincode invoke</c>. Directly: <see cref="SignedChaincodeProposal"/> →
/// <see cref="Endorser"/> (with <see cref="DeliverGroup.ConnectAsync"/> alongside; the endorsement's outcome decides
/// first) → <see cref="Broadcaster"/> → <see cref="DeliverGroup.WaitAsync"/>, the commit wait's clock starting once
/// endorsed. Through a Gateway: the same proposal → <see cref="GatewayClient"/> Endorse →
/// Submit → CommitStatus. Each stage words its own failures; this class only decides what "interrupted" means at
/// each point.
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
        var proposal = SignedChaincodeProposal.Create(options.Invocation, connections.Signer, connections.Time);
        trace.Proposed(proposal);
        _observer.ProposalCreated(proposal.TxId);

        var sendState = SendState.NotSent;
        try
        {
            if (options.Gateway)
            {
                await ThroughGatewayAsync(connections, options, proposal, trace, s => sendState = s, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await DirectlyAsync(connections, options, proposal, trace, s => sendState = s, cancellationToken).ConfigureAwait(false);
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

    private async Task DirectlyAsync(
        ChaincodeCmdFactory connections, InvokeOptions options, SignedChaincodeProposal proposal, InvokeTrace trace, Action<SendState> sent, CancellationToken cancellationToken)
    {
        // The deliver streams are opened while the peers endorse (each answers with its current block meanwhile), and
        // so are the first orderer's broadcast stream (its connection is ready when the transaction is) and the
        // orderer discovery when no orderer was given; the broadcast still waits for all of it, so no block can be
        // missed. The endorsement decides first, whatever finishes first: its failure stops the others (and resets the
        // broadcast stream unused); theirs is reported only once the endorsement has succeeded, so one fault (a wrong
        // MSP id, an unknown channel: refused by the endorsers and the deliver service alike) gives one exit code.
        // --waitForEventTimeout starts when the endorsements are in, as in the peer CLI: it bounds the rest of the
        // deliver connect, the broadcast and the commit wait, never the chaincode's run.
        using var deliver = options.WaitForEvent
            ? new DeliverGroup(connections.DeliverPeers, connections.Signer, proposal.ChannelId, connections.BindTlsCertHash, options.WaitForEventTimeout)
            : null;
        using var together = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = connections.Time.GetTimestamp();
        using var broadcast = PreparedBroadcast.Open(connections.Orderers, together.Token);
        var endorsing = EndorseAsync(proposal, connections, options, trace, deliver, together.Token);
        var connecting = deliver is null ? Task.CompletedTask : ConnectAsync(deliver, proposal.TxId, connections, trace, together.Token);
        var discovering = connections.CanDiscoverOrderers ? DiscoverAsync(connections, proposal.ChannelId, options, together.Token) : Task.CompletedTask;
        await FanOut.FirstDecides(endorsing, Task.WhenAll(connecting, discovering), together).ConfigureAwait(false);
        var endorsed = await endorsing.ConfigureAwait(false);
        var peerMspIds = PeerMspIds(endorsed, connections);
        CheckPolicyCanBeMet(options.WaitFor, connections, peerMspIds, proposal.TxId);
        trace.ReadyToSubmit(connections.Time.GetElapsedTime(started));

        _observer.Submitting(proposal.TxId);
        if (connections.Ordering is { IsBft: true } bft)
        {
            _observer.SendingToAllOrderers(proposal.TxId, connections.Orderers.Select(o => o.Address).ToList(), bft.Quorum(connections.Orderers.Count));
        }

        var submitted = await Broadcaster.SubmitAsync(endorsed, connections.Orderers, options.RequestTimeout, cancellationToken, broadcast, connections.Ordering, attempt =>
        {
            trace.OrdererTried(attempt);
            if (attempt.Outcome != OrdererOutcome.Pending)
            {
                _observer.OrdererTried(proposal.TxId, attempt);
            }
        }).ConfigureAwait(false);
        sent(SendState.Sent);
        trace.Submitted(submitted);
        _observer.Submitted(submitted);

        if (deliver is not null)
        {
            var status = await deliver.WaitAsync(submitted, options.WaitFor, peerMspIds, commit =>
            {
                trace.Committed(commit);
                _observer.Committed(proposal.TxId, commit);
            }, cancellationToken).ConfigureAwait(false);
            trace.CommitWaitEnded(status.Elapsed);
        }
    }

    private async Task ThroughGatewayAsync(
        ChaincodeCmdFactory connections, InvokeOptions options, SignedChaincodeProposal proposal, InvokeTrace trace, Action<SendState> sent, CancellationToken cancellationToken)
    {
        var gateway = new GatewayClient(connections.Peers[0], connections.Signer);
        var endorsed = await gateway.EndorseAsync(proposal, options.EndorsingOrganizations, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        trace.Endorsed(endorsed);
        _observer.Endorsed(endorsed);

        _observer.Submitting(proposal.TxId);
        sent(SendState.MaybeSent);
        var submitted = await gateway.SubmitAsync(endorsed, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        sent(SendState.Sent);
        trace.Submitted(submitted);
        _observer.Submitted(submitted);

        if (options.WaitForEvent)
        {
            var status = await gateway.CommitStatusAsync(submitted, options.WaitForEventTimeout, commit =>
            {
                trace.Committed(commit);
                _observer.Committed(proposal.TxId, commit);
            }, cancellationToken).ConfigureAwait(false);
            trace.CommitWaitEnded(status.Elapsed);
        }
    }

    private async Task<EndorsedTransaction> EndorseAsync(
        SignedChaincodeProposal proposal, ChaincodeCmdFactory connections, InvokeOptions options, InvokeTrace trace, DeliverGroup? deliver, CancellationToken cancellationToken)
    {
        var endorsed = await Endorser.EndorseAsync(proposal, connections.Peers, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        deliver?.StartClock();
        trace.Endorsed(endorsed);
        _observer.Endorsed(endorsed);
        return endorsed;
    }

    private async Task ConnectAsync(DeliverGroup deliver, string txId, ChaincodeCmdFactory connections, InvokeTrace trace, CancellationToken cancellationToken)
    {
        var started = connections.Time.GetTimestamp();
        await deliver.ConnectAsync(txId, cancellationToken).ConfigureAwait(false);
        trace.DeliverConnected(connections.Time.GetElapsedTime(started));
        _observer.DeliverConnected(txId, connections.DeliverPeers.Count);
    }

    private async Task DiscoverAsync(ChaincodeCmdFactory connections, string channelId, InvokeOptions options, CancellationToken cancellationToken)
    {
        var (found, ordering, peer) = await OrdererDiscovery.FindAsync(connections.Peers, connections.Signer, channelId, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        connections.UseDiscoveredOrderers(found, ordering);
        _observer.OrderersDiscovered(channelId, peer.Address, found);
    }

    /// <summary>Each peer's MSP id: from its endorsement, else as the connection profile states it (a peer that only reports commits).</summary>
    private static Dictionary<string, string> PeerMspIds(EndorsedTransaction endorsed, ChaincodeCmdFactory connections)
    {
        var ids = endorsed.Endorsements.Where(e => e.MspId is not null).ToDictionary(e => e.Address, e => e.MspId!, StringComparer.Ordinal);
        foreach (var peer in connections.DeliverPeers.Where(p => p.MspId is not null))
        {
            ids.TryAdd(peer.Address, peer.MspId!);
        }

        return ids;
    }

    /// <summary>An organisation the policy names but no given peer belongs to can never be waited for: say so before ordering.</summary>
    private static void CheckPolicyCanBeMet(CommitPolicy policy, ChaincodeCmdFactory connections, Dictionary<string, string> peerMspIds, string txId)
    {
        if (policy.Kind != CommitPolicyKind.Organizations)
        {
            return;
        }

        var missing = policy.Organizations.Where(org => !peerMspIds.ContainsValue(org)).ToList();
        if (missing.Count > 0)
        {
            throw Failures.CommitPolicyUnmet(txId, policy.ToString(), missing,
                connections.DeliverPeers.Select(p => $"{p.Address} = {peerMspIds.GetValueOrDefault(p.Address) ?? "?"}").ToList());
        }
    }
}
