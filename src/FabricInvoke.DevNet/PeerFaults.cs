using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet;

/// <summary>
/// Misbehaviour a test can switch on for one peer at any time. Thread-safe; the default is a healthy peer.
/// Each property is read when a request arrives, so a change applies to the next request or block.
/// </summary>
public sealed class PeerFaults : Ledger.ILedgerFaults
{
    private readonly Lock _gate = new();
    private bool _failLedgerWrites;
    private TimeSpan _endorsementDelay;
    private (int Status, string Message)? _endorsementStatus;
    private StatusCode? _endorsementRpcError;
    private bool _alterEndorsementPayload;
    private Status? _deliverStatus;
    private bool _dropDeliverAfterFirstBlock;
    private bool _withholdBlocks;
    private TimeSpan _deliverDelay;
    private TxValidationCode? _forceValidationCode;

    /// <summary>Back to a healthy peer: every fault off at once.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _failLedgerWrites = false;
            _endorsementDelay = TimeSpan.Zero;
            _endorsementStatus = null;
            _endorsementRpcError = null;
            _alterEndorsementPayload = false;
            _deliverStatus = null;
            _dropDeliverAfterFirstBlock = false;
            _withholdBlocks = false;
            _deliverDelay = TimeSpan.Zero;
            _forceValidationCode = null;
        }
    }

    /// <summary>Delay before answering ProcessProposal.</summary>
    public TimeSpan EndorsementDelay { get { lock (_gate) { return _endorsementDelay; } } set { lock (_gate) { _endorsementDelay = value; } } }

    /// <summary>Answer ProcessProposal with this status/message and no endorsement, as peers do for chaincode errors.</summary>
    public (int Status, string Message)? EndorsementStatus { get { lock (_gate) { return _endorsementStatus; } } set { lock (_gate) { _endorsementStatus = value; } } }

    /// <summary>Answer ProcessProposal with this gRPC error instead of a ProposalResponse.</summary>
    public StatusCode? EndorsementRpcError { get { lock (_gate) { return _endorsementRpcError; } } set { lock (_gate) { _endorsementRpcError = value; } } }

    /// <summary>Endorse a different (validly signed) payload, so the client sees a payload mismatch.</summary>
    public bool AlterEndorsementPayload { get { lock (_gate) { return _alterEndorsementPayload; } } set { lock (_gate) { _alterEndorsementPayload = value; } } }

    /// <summary>Answer deliver requests with this status (then end the stream OK) instead of blocks.</summary>
    public Status? DeliverStatus { get { lock (_gate) { return _deliverStatus; } } set { lock (_gate) { _deliverStatus = value; } } }

    /// <summary>Send the first block of a deliver stream, then abort the stream (a transport error at the client).</summary>
    public bool DropDeliverAfterFirstBlock { get { lock (_gate) { return _dropDeliverAfterFirstBlock; } } set { lock (_gate) { _dropDeliverAfterFirstBlock = value; } } }

    /// <summary>Send the first block of a deliver stream, then nothing more (the client's commit wait times out).</summary>
    public bool WithholdBlocks { get { lock (_gate) { return _withholdBlocks; } } set { lock (_gate) { _withholdBlocks = value; } } }

    /// <summary>Delay every deliver response (an injected <see cref="DeliverStatus"/> too).</summary>
    public TimeSpan DeliverDelay { get { lock (_gate) { return _deliverDelay; } } set { lock (_gate) { _deliverDelay = value; } } }

    /// <summary>This peer marks every transaction of every new block with this validation code.</summary>
    public TxValidationCode? ForceValidationCode { get { lock (_gate) { return _forceValidationCode; } } set { lock (_gate) { _forceValidationCode = value; } } }

    /// <summary>
    /// Every ledger write of this node fails as on a full disk: half the record reaches the file, then the write
    /// fails with ENOSPC. The node reports it, refuses new transactions (SERVICE_UNAVAILABLE) and retries with backoff;
    /// switching this off is "space freed", and the node recovers by itself.
    /// </summary>
    public bool FailLedgerWrites { get { lock (_gate) { return _failLedgerWrites; } } set { lock (_gate) { _failLedgerWrites = value; } } }
}
