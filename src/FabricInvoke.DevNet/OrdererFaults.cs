using FabricInvoke.Protos.Common;

namespace FabricInvoke.DevNet;

/// <summary>Misbehaviour a test can switch on for the orderer at any time. Thread-safe; the default is healthy.</summary>
public sealed class OrdererFaults : Ledger.ILedgerFaults
{
    private readonly Lock _gate = new();
    private bool _failLedgerWrites;
    private Status? _broadcastStatus;
    private string _broadcastInfo = "";
    private TimeSpan _broadcastDelay;
    private int? _broadcastStatusTimes;
    private TimeSpan _forwardDelay;

    /// <summary>Back to a healthy orderer: every fault off at once.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _failLedgerWrites = false;
            _broadcastStatus = null;
            _broadcastInfo = "";
            _broadcastDelay = TimeSpan.Zero;
            _broadcastStatusTimes = null;
            _forwardDelay = TimeSpan.Zero;
        }
    }

    /// <summary>Answer every broadcast envelope with <c>BroadcastResponse{status, info = BroadcastInfo}</c> and drop it.</summary>
    public Status? BroadcastStatus { get { lock (_gate) { return _broadcastStatus; } } set { lock (_gate) { _broadcastStatus = value; } } }

    /// <summary>The info text sent with <see cref="BroadcastStatus"/>.</summary>
    public string BroadcastInfo { get { lock (_gate) { return _broadcastInfo; } } set { lock (_gate) { _broadcastInfo = value ?? ""; } } }

    /// <summary>
    /// When set, <see cref="BroadcastStatus"/> answers only this many envelopes and the orderer is healthy again
    /// afterwards (a transient SERVICE_UNAVAILABLE, for failover tests). Null: every envelope.
    /// </summary>
    public int? BroadcastStatusTimes { get { lock (_gate) { return _broadcastStatusTimes; } } set { lock (_gate) { _broadcastStatusTimes = value; } } }

    /// <summary>The injected answer for the next envelope, if any, counting down <see cref="BroadcastStatusTimes"/>.</summary>
    internal Status? TakeBroadcastStatus()
    {
        lock (_gate)
        {
            if (_broadcastStatus is null || _broadcastStatusTimes is <= 0)
            {
                return null;
            }

            if (_broadcastStatusTimes is { } left)
            {
                _broadcastStatusTimes = left - 1;
            }

            return _broadcastStatus;
        }
    }

    /// <summary>
    /// The orderer answers SUCCESS at once but hands the transaction on to be ordered only this long afterwards, as a
    /// BFT follower does (SmartBFT forwards a request to its leader after its RequestForwardTimeout). Meant for a network
    /// of several orderers (<see cref="DevNetOptions.Orderers"/>): a transaction that another orderer handed on already
    /// is ordered once. Zero: at once.
    /// </summary>
    public TimeSpan ForwardDelay { get { lock (_gate) { return _forwardDelay; } } set { lock (_gate) { _forwardDelay = value; } } }

    /// <summary>Delay before answering each broadcast envelope.</summary>
    public TimeSpan BroadcastDelay { get { lock (_gate) { return _broadcastDelay; } } set { lock (_gate) { _broadcastDelay = value; } } }

    /// <summary>
    /// Every ledger write of this node fails as on a full disk: half the record reaches the file, then the write
    /// fails with ENOSPC. The node reports it, refuses new transactions (SERVICE_UNAVAILABLE) and retries with backoff;
    /// switching this off is "space freed", and the node recovers by itself.
    /// </summary>
    public bool FailLedgerWrites { get { lock (_gate) { return _failLedgerWrites; } } set { lock (_gate) { _failLedgerWrites = value; } } }
}
