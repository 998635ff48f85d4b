using System.Diagnostics;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;
using Google.Protobuf.WellKnownTypes;

namespace FabricInvoke.Core.Invocation;

/// <summary>
/// Runs one <c>chaincode invoke</c>: propose → endorse on every peer → (connect deliver) → broadcast → (wait for commit).
/// </summary>
public sealed class ChaincodeInvoker
{
    private sealed class NoObserver : IInvokeObserver;

    private readonly IInvokeObserver _observer;
    private readonly TimeProvider _time;

    public ChaincodeInvoker(IInvokeObserver? observer = null, TimeProvider? time = null)
    {
        _observer = observer ?? new NoObserver();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Invokes the chaincode as <paramref name="settings"/> say.</summary>
    /// <exception cref="FabricInvokeException">Every failure a user can meet; its Kind decides the exit code.</exception>
    public async Task<InvokeResult> InvokeAsync(InvokeSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var signer = MspFolder.Load(settings.MspConfigPath, settings.MspId);
        WarnAboutKeyFiles(settings, signer);
        using var factory = ChaincodeCmdFactory.Create(settings, signer, _observer.Retrying);
        return await InvokeAsync(settings, factory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Private keys that others can read are worth a warning, not a failure: the peer CLI accepts them silently.</summary>
    private void WarnAboutKeyFiles(InvokeSettings settings, SigningIdentity signer)
    {
        var keyFiles = new[] { signer.KeyFile, settings.PeerTransport.ClientCertificate?.KeyFile, settings.OrdererTransport.ClientCertificate?.KeyFile };
        foreach (var keyFile in keyFiles.Distinct(StringComparer.Ordinal))
        {
            if (KeyFileAccess.Warning(keyFile) is { } warning)
            {
                _observer.Warning(warning);
            }
        }
    }

    /// <summary>Invokes through an existing factory (connections and signer).</summary>
    public async Task<InvokeResult> InvokeAsync(InvokeSettings settings, ChaincodeCmdFactory factory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(factory);
        var total = Stopwatch.GetTimestamp();
        var signer = factory.Signer;
        var nonce = TxIds.NewNonce();
        var proposal = ProposalBuilder.Create(settings.Invocation, signer.Creator, nonce, Timestamp.FromDateTimeOffset(_time.GetUtcNow()));
        var txId = proposal.TxId;
        _observer.ProposalCreated(txId);
        var broadcastDone = false;

        try
        {
            var phase = Stopwatch.GetTimestamp();
            var endorsements = await Endorser.EndorseAllAsync(
                factory.Peers, proposal.Sign(signer), txId, settings.RequestTimeout, cancellationToken).ConfigureAwait(false);
            var endorseTime = Stopwatch.GetElapsedTime(phase);
            var peerEndorsements = endorsements.Select(e => new PeerEndorsement(e.Address, e.Response.Response.Status, e.Latency)).ToList();
            _observer.Endorsed(txId, peerEndorsements);

            var envelope = TransactionBuilder.CreateSignedEnvelope(proposal, endorsements.Select(e => e.Response).ToList(), signer);
            var first = endorsements[0].Response.Response;
            var response = new ChaincodeResponse(first.Status, first.Message, first.Payload.ToByteArray());

            using var deliver = settings.WaitForEvent
                ? new DeliverGroup(factory.Peers, signer, settings.Invocation.ChannelId, settings.BindTlsCertHash, _time)
                : null;
            using var waitDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var deliverConnect = TimeSpan.Zero;
            if (deliver is not null)
            {
                // One deadline covers connecting the deliver streams and waiting for the commit, as in the peer CLI.
                waitDeadline.CancelAfter(settings.WaitForEventTimeout);
                phase = Stopwatch.GetTimestamp();
                try
                {
                    await deliver.ConnectAsync(waitDeadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw Failures.Deliver(txId, string.Join(", ", deliver.Addresses),
                        $"timed out after {Failures.FormatDuration(settings.WaitForEventTimeout)} waiting for the deliver streams to connect; the transaction was not sent to the orderer",
                        mayHaveCommitted: false);
                }

                deliverConnect = Stopwatch.GetElapsedTime(phase);
                _observer.DeliverConnected(txId, factory.Peers.Count);
            }

            phase = Stopwatch.GetTimestamp();
            var broadcast = await Broadcaster.BroadcastAsync(factory.Orderers, envelope, txId, settings.RequestTimeout, cancellationToken).ConfigureAwait(false);
            broadcastDone = true;
            var broadcastTime = Stopwatch.GetElapsedTime(phase);
            _observer.Broadcast(txId, broadcast.OrdererAddress);

            IReadOnlyList<CommitResult> commits = [];
            var commitTime = TimeSpan.Zero;
            if (deliver is not null)
            {
                phase = Stopwatch.GetTimestamp();
                var reported = new HashSet<string>(StringComparer.Ordinal);
                try
                {
                    commits = await deliver.WaitAsync(txId, phase, commit =>
                    {
                        lock (reported)
                        {
                            reported.Add(commit.Address);
                        }

                        _observer.Committed(txId, commit);
                        if (!commit.IsValid)
                        {
                            throw Failures.Invalidated(txId, commit.Address, FabricNames.Of(commit.Code), commit.BlockNumber);
                        }
                    }, waitDeadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    List<string> pending;
                    lock (reported)
                    {
                        pending = deliver.Addresses.Where(a => !reported.Contains(a)).ToList();
                    }

                    throw Failures.CommitTimeout(txId, settings.WaitForEventTimeout, pending);
                }

                commitTime = Stopwatch.GetElapsedTime(phase);
            }

            return new InvokeResult(txId, response, peerEndorsements, broadcast.OrdererAddress, commits,
                new PhaseTimings(endorseTime, deliverConnect, broadcastTime, commitTime, Stopwatch.GetElapsedTime(total)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw Failures.Interrupted(txId, broadcastDone);
        }
        catch (FabricInvokeException e) when (e.TxId is null)
        {
            throw new FabricInvokeException(e.Kind, e.Message, e.InnerException) { TxId = txId, Target = e.Target, MayHaveCommitted = e.MayHaveCommitted };
        }
    }
}
