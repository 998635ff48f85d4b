using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.Core.Endorsement;

/// <summary>The chaincode's answer, as the endorsers returned it.</summary>
public sealed record ChaincodeResponse(int Status, string Message, byte[] Payload);

/// <summary>One peer's endorsement: its address, the chaincode status it returned, and how long it took.</summary>
/// <param name="Latency">The whole call, connection set-up included.</param>
/// <param name="Connect">TCP connect time when this call opened the connection; zero when it reused one.</param>
/// <param name="Tls">TLS handshake time when this call opened the connection; zero otherwise.</param>
public sealed record PeerEndorsement(string Address, int Status, string Message, TimeSpan Latency, TimeSpan Connect, TimeSpan Tls);

/// <summary>
/// The second stage: a proposal every endorser accepted with identical results. It holds the chaincode's answer (what a
/// query prints) and, on demand, the signed transaction envelope that ordering submits. Immutable.
/// </summary>
public sealed class EndorsedTransaction
{
    private readonly IReadOnlyList<ProposalResponse> _responses;
    private readonly Lazy<Envelope> _envelope;

    internal EndorsedTransaction(ChaincodeProposal proposal, IReadOnlyList<ProposalResponse> responses, IReadOnlyList<PeerEndorsement> endorsements, TimeSpan elapsed)
    {
        Proposal = proposal;
        _responses = responses;
        Endorsements = endorsements;
        Elapsed = elapsed;
        var first = responses[0].Response;
        Result = new ChaincodeResponse(first.Status, first.Message, first.Payload.ToByteArray());
        _envelope = new Lazy<Envelope>(() => TransactionBuilder.CreateSignedEnvelope(Proposal.Unsigned, _responses, Proposal.Signer));
    }

    public string TxId => Proposal.TxId;

    public ChaincodeProposal Proposal { get; }

    /// <summary>Per peer, in the order the peers were given.</summary>
    public IReadOnlyList<PeerEndorsement> Endorsements { get; }

    /// <summary>The chaincode's response (status, message, payload) — identical on every endorser.</summary>
    public ChaincodeResponse Result { get; }

    /// <summary>Wall time of the whole endorsement stage.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The signed transaction envelope (transient map stripped), built once on first use.</summary>
    /// <exception cref="Errors.FabricInvokeException">Endorsement: the responses cannot be assembled.</exception>
    internal Envelope Envelope => _envelope.Value;
}
