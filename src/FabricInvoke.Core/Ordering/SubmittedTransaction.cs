using FabricInvoke.Core.Endorsement;

namespace FabricInvoke.Core.Ordering;

/// <summary>
/// The third stage: an endorsed transaction an orderer accepted (broadcast status SUCCESS). From here it may commit;
/// the commit wait (<see cref="Delivery.DeliverGroup"/>, or a Gateway's CommitStatus) tells how. Immutable.
/// </summary>
internal sealed class SubmittedTransaction
{
    internal SubmittedTransaction(
        EndorsedTransaction endorsed, string ordererAddress, TimeSpan elapsed, long acceptedAt, bool throughGateway = false, TimeSpan connect = default, TimeSpan tls = default)
    {
        Connect = connect;
        Tls = tls;
        ThroughGateway = throughGateway;
        Endorsed = endorsed;
        OrdererAddress = ordererAddress;
        Elapsed = elapsed;
        AcceptedAt = acceptedAt;
    }

    /// <summary>The transaction id.</summary>
    public string TxId => Endorsed.TxId;

    /// <summary>The endorsed transaction that was submitted.</summary>
    public EndorsedTransaction Endorsed { get; }

    /// <summary>The orderer that accepted it; with <see cref="ThroughGateway"/>, the gateway peer that had it ordered.</summary>
    public string OrdererAddress { get; }

    /// <summary>Submitted through a peer Gateway (which orderer took it is the gateway's business).</summary>
    public bool ThroughGateway { get; }

    /// <summary>The orderer's answer, as the protocol names it.</summary>
    public string Status => "SUCCESS";

    /// <summary>Wall time of the ordering stage (failover included).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>TCP connect time of the accepting orderer's connection when it was opened for this transaction (ahead, while the peers endorsed, or by the broadcast); zero when reused.</summary>
    public TimeSpan Connect { get; }

    /// <summary>TLS handshake time of that connection; zero otherwise.</summary>
    public TimeSpan Tls { get; }

    /// <summary>Every orderer tried, in the order their outcomes came (a BFT submit: those answered by the time the quorum was reached).</summary>
    public IReadOnlyList<OrdererAttempt> Attempts { get; init; } = [];

    /// <summary>BFT: how many orderers had to accept it; null when the orderers were tried in turn (or through a gateway).</summary>
    public int? Quorum { get; init; }

    /// <summary>BFT: the orderers whose acceptance made the quorum, in the order they answered; empty otherwise.</summary>
    public IReadOnlyList<string> AcceptedBy { get; init; } = [];

    /// <summary>The clock's timestamp when the orderer's acceptance arrived; commit latencies count from it.</summary>
    internal long AcceptedAt { get; }
}
