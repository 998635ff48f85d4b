using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Msp;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.Core.Endorsement;

/// <summary>The chaincode's answer, as the endorsers returned it.</summary>
internal sealed record ChaincodeResponse(int Status, string Message, byte[] Payload);

/// <summary>One peer's endorsement: its address and organisation, the chaincode status it returned, and how long it took.</summary>
/// <param name="MspId">The endorser's MSP id, from its endorsement (null when it gave none, e.g. a gateway's answer).</param>
/// <param name="Latency">The whole call, connection set-up included.</param>
/// <param name="Connect">TCP connect time when this call opened the connection; zero when it reused one.</param>
/// <param name="Tls">TLS handshake time when this call opened the connection; zero otherwise.</param>
internal sealed record PeerEndorsement(string Address, string? MspId, int Status, string Message, TimeSpan Latency, TimeSpan Connect, TimeSpan Tls);

/// <summary>
/// The second stage: a proposal endorsed with identical results — by the peers directly, or through a Gateway. It holds
/// the chaincode's answer (what a query prints) and, on demand, the signed transaction envelope that ordering submits.
/// Immutable.
/// </summary>
internal sealed class EndorsedTransaction
{
    private readonly Lazy<ByteString> _payload;
    private readonly Lazy<Envelope> _envelope;

    private EndorsedTransaction(
        SignedChaincodeProposal proposal, ChaincodeResponse result, IReadOnlyList<PeerEndorsement> endorsements, IReadOnlyList<string> endorserMspIds, TimeSpan elapsed,
        Lazy<ByteString> payload, Func<ByteString, byte[]> sign)
    {
        Proposal = proposal;
        Result = result;
        Endorsements = endorsements;
        EndorserMspIds = endorserMspIds;
        Elapsed = elapsed;
        _payload = payload;
        _envelope = new Lazy<Envelope>(() => new Envelope { Payload = payload.Value, Signature = ByteString.CopyFrom(sign(payload.Value)) });
    }

    /// <summary>The marshalled transaction payload: what the envelope's signature covers (for offline signing).</summary>
    /// <exception cref="Errors.FabricInvokeException">Endorsement: the responses cannot be assembled.</exception>
    internal ByteString PayloadBytes => _payload.Value;

    /// <summary>The same transaction, its envelope signed with <paramref name="signature"/> made elsewhere over <see cref="PayloadBytes"/>.</summary>
    internal EndorsedTransaction WithSignature(byte[] signature) =>
        new(Proposal, Result, Endorsements, EndorserMspIds, Elapsed, _payload, _ => signature);

    /// <summary>The transaction id (the proposal's).</summary>
    public string TxId => Proposal.TxId;

    /// <summary>The signed proposal the peers endorsed.</summary>
    public SignedChaincodeProposal Proposal { get; }

    /// <summary>Per peer contacted, in the order the peers were given (one entry, the gateway, on the Gateway path).</summary>
    public IReadOnlyList<PeerEndorsement> Endorsements { get; }

    /// <summary>The MSP ids of the endorsements the transaction carries, in their order.</summary>
    public IReadOnlyList<string> EndorserMspIds { get; }

    /// <summary>The chaincode's response (status, message, payload) — identical on every endorser.</summary>
    public ChaincodeResponse Result { get; }

    /// <summary>Wall time of the whole endorsement stage.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The signed transaction envelope (transient map stripped), built once on first use.</summary>
    /// <exception cref="Errors.FabricInvokeException">Endorsement: the responses cannot be assembled.</exception>
    internal Envelope Envelope => _envelope.Value;

    /// <summary>Endorsed by the peers themselves: the envelope is assembled from their responses, as the peer CLI does.</summary>
    internal static EndorsedTransaction FromPeers(
        SignedChaincodeProposal proposal, IReadOnlyList<ProposalResponse> responses, IReadOnlyList<PeerEndorsement> endorsements, TimeSpan elapsed)
    {
        var first = responses[0].Response;
        var msps = responses.Select(r => r.Endorsement is null ? null : MspIdOf(r.Endorsement.Endorser)).OfType<string>().ToList();
        return new EndorsedTransaction(
            proposal,
            new ChaincodeResponse(first.Status, first.Message, first.Payload.ToByteArray()),
            endorsements,
            msps,
            elapsed,
            new Lazy<ByteString>(() => TransactionBuilder.CreatePayload(proposal.Unsigned, responses)),
            payload => proposal.Signer.Sign(payload.Span));
    }

    /// <summary>
    /// Endorsed through a Gateway: it returned the transaction's payload (the chaincode's answer inside it), which the
    /// client signs here — the gateway never holds the client's key.
    /// </summary>
    /// <exception cref="InvalidProtocolBufferException">The prepared transaction is not an endorsed chaincode transaction (or <see cref="InvalidDataException"/>).</exception>
    internal static EndorsedTransaction FromGateway(SignedChaincodeProposal proposal, Envelope prepared, PeerEndorsement gateway, TimeSpan elapsed)
    {
        var payload = prepared.Payload;
        var (result, endorsers) = ReadTransaction(payload);
        return new EndorsedTransaction(
            proposal,
            result,
            [gateway with { Status = result.Status, Message = result.Message }],
            endorsers,
            elapsed,
            new Lazy<ByteString>(payload),
            p => proposal.Signer.Sign(p.Span));
    }

    /// <summary>
    /// A transaction endorsed and signed before, rebuilt from its payload bytes (<see cref="PayloadBytes"/>) and the
    /// signature made over them elsewhere: the proposal is read back from the payload's header and chaincode proposal
    /// payload; the endorsements name the endorsing organisations only (their peers' addresses are not in the bytes).
    /// </summary>
    /// <exception cref="InvalidProtocolBufferException">Not an endorsed chaincode transaction (or <see cref="InvalidDataException"/>).</exception>
    internal static EndorsedTransaction FromSignedPayload(ByteString payloadBytes, byte[] signature, Identity.SigningIdentity signer)
    {
        var payload = Payload.Parser.ParseFrom(payloadBytes);
        var actions = Protos.Peer.Transaction.Parser.ParseFrom(payload.Data).Actions;
        if (payload.Header is null || actions.Count == 0)
        {
            throw new InvalidDataException("the transaction has no header or no action");
        }

        var (result, endorsers) = ReadTransaction(payloadBytes);
        var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(actions[0].Payload);
        var proposalBytes = new Protos.Peer.Proposal { Header = payload.Header.ToByteString(), Payload = actionPayload.ChaincodeProposalPayload }.ToByteString();
        var proposal = SignedChaincodeProposal.FromSigned(new SignedProposal { ProposalBytes = proposalBytes }, signer);
        var endorsements = endorsers.Select(msp => new PeerEndorsement(msp, msp, result.Status, result.Message, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero)).ToList();
        return new EndorsedTransaction(proposal, result, endorsements, endorsers, TimeSpan.Zero, new Lazy<ByteString>(payloadBytes), _ => signature);
    }

    internal static string? MspIdOf(ByteString serializedIdentity)
    {
        try
        {
            return SerializedIdentity.Parser.ParseFrom(serializedIdentity).Mspid;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>The chaincode's response and the endorsers' MSP ids (in order) of a transaction payload.</summary>
    /// <exception cref="InvalidProtocolBufferException">Not an endorsed chaincode transaction (or <see cref="InvalidDataException"/>).</exception>
    private static (ChaincodeResponse Result, IReadOnlyList<string> Endorsers) ReadTransaction(ByteString payloadBytes)
    {
        var payload = Payload.Parser.ParseFrom(payloadBytes);
        var actions = Protos.Peer.Transaction.Parser.ParseFrom(payload.Data).Actions;
        if (actions.Count == 0)
        {
            throw new InvalidDataException("the transaction has no action");
        }

        var action = ChaincodeActionPayload.Parser.ParseFrom(actions[0].Payload).Action
            ?? throw new InvalidDataException("the transaction action has no endorsed action");
        var chaincodeAction = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(action.ProposalResponsePayload).Extension);
        var response = chaincodeAction.Response ?? new Response();
        return (new ChaincodeResponse(response.Status, response.Message, response.Payload.ToByteArray()),
            action.Endorsements.Select(e => MspIdOf(e.Endorser)).OfType<string>().ToList());
    }
}
