using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core.Invocation;

/// <summary>
/// Records an invoke's stage results and phase times as they happen, so that a failure can still be reported with
/// everything that was done before it (which peers endorsed, which orderer accepted, which peers committed).
/// Thread-safe: peers report in parallel.
/// </summary>
internal sealed class InvokeTrace
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly List<PeerCommit> _commits = [];
    private readonly SortedDictionary<int, OrdererAttempt> _orderers = [];
    private readonly string _channelId;
    private readonly string _chaincodeName;
    private string? _txId;
    private EndorsedTransaction? _endorsed;
    private (ChaincodeResponse Result, PeerEndorsement By, TimeSpan Elapsed)? _evaluated;
    private SubmittedTransaction? _submitted;
    private TimeSpan _startup;
    private TimeSpan _deliverConnect;
    private TimeSpan _beforeSubmit;
    private TimeSpan _commit;
    private TimeSpan? _total;

    /// <param name="startedAt">The clock's timestamp when the command started (the process, for a CLI); default now.</param>
    public InvokeTrace(ChaincodeInvocation invocation, TimeProvider? time = null, long? startedAt = null)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        _channelId = invocation.ChannelId;
        _chaincodeName = invocation.ChaincodeName;
        _time = time ?? TimeProvider.System;
        _started = startedAt ?? _time.GetTimestamp();
    }

    /// <summary>The invoke as far as it got.</summary>
    public InvokeResult Snapshot()
    {
        lock (_gate)
        {
            return new InvokeResult(
                _txId,
                _channelId,
                _chaincodeName,
                _endorsed?.Result ?? _evaluated?.Result,
                _endorsed?.Endorsements ?? (_evaluated is { } e ? [e.By] : []),
                _submitted is null ? null : new OrdererAcceptance(_submitted.OrdererAddress, _submitted.Status, _submitted.ThroughGateway),
                _commits.ToList(),
                new PhaseTimings(
                    _startup,
                    _endorsed?.Elapsed ?? _evaluated?.Elapsed ?? TimeSpan.Zero,
                    _deliverConnect,
                    _submitted?.Elapsed ?? TimeSpan.Zero,
                    _commit,
                    _total ?? _time.GetElapsedTime(_started),
                    _beforeSubmit,
                    _submitted?.Connect ?? TimeSpan.Zero,
                    _submitted?.Tls ?? TimeSpan.Zero))
            {
                OrderersTried = _orderers.Values.ToList(),
                OrdererQuorum = _submitted?.Quorum,
            };
        }
    }

    internal void Proposed(SignedChaincodeProposal proposal) => Set(() =>
    {
        _txId = proposal.TxId;
        _startup = _time.GetElapsedTime(_started);
    });

    internal void Endorsed(EndorsedTransaction endorsed) => Set(() => _endorsed = endorsed);

    internal void Evaluated(ChaincodeResponse result, PeerEndorsement by, TimeSpan elapsed) => Set(() => _evaluated = (result, by, elapsed));

    internal void DeliverConnected(TimeSpan elapsed) => Set(() => _deliverConnect = elapsed);

    internal void ReadyToSubmit(TimeSpan elapsed) => Set(() => _beforeSubmit = elapsed);

    internal void Submitted(SubmittedTransaction submitted) => Set(() => _submitted = submitted);

    /// <summary>An orderer was tried, or answered: the latest word on each one counts (a late answer replaces "pending").</summary>
    internal void OrdererTried(OrdererAttempt attempt) => Set(() => _orderers[attempt.Index] = attempt);

    internal void Committed(PeerCommit commit) => Set(() => _commits.Add(commit));

    internal void CommitWaitEnded(TimeSpan elapsed) => Set(() => _commit = elapsed);

    internal void Finished() => Set(() => _total ??= _time.GetElapsedTime(_started));

    private void Set(Action update)
    {
        lock (_gate)
        {
            update();
        }
    }
}
