using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.Core.Transactions;

/// <summary>Assembles the endorsed transaction exactly as protoutil.CreateSignedTx does.</summary>
internal static class TransactionBuilder
{
    /// <summary>
    /// Builds the marshalled <c>common.Payload</c> of the transaction: Payload{header = the proposal's Header,
    /// data = Transaction{[TransactionAction{header = SignatureHeader, payload = ChaincodeActionPayload{
    /// proposal payload without transient map, ChaincodeEndorsedAction{responses[0].payload, endorsements}}}]}}.
    /// Endorsements keep the order of <paramref name="responses"/>; a repeated endorser is dropped.
    /// </summary>
    /// <exception cref="FabricInvokeException">
    /// Endorsement: no responses, a response that is not successful (status outside [200, 400)), or payloads that are not
    /// byte-identical (message starting "ProposalResponsePayloads do not match").
    /// </exception>
    public static ByteString CreatePayload(UnsignedProposal proposal, IReadOnlyList<ProposalResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Count == 0)
        {
            throw Failures.EndorsementMismatch(proposal.TxId, "at least one proposal response is required");
        }

        ByteString? first = null;
        foreach (var response in responses)
        {
            var status = response.Response?.Status ?? 0;
            if (status is < 200 or >= 400)
            {
                throw Failures.EndorsementMismatch(
                    proposal.TxId,
                    $"proposal response was not successful, error code {status}, msg {response.Response?.Message ?? string.Empty}");
            }

            if (first is null)
            {
                first = response.Payload;
            }
            else if (!first.Span.SequenceEqual(response.Payload.Span))
            {
                throw Failures.EndorsementMismatch(proposal.TxId, "ProposalResponsePayloads do not match");
            }
        }

        var action = new ChaincodeEndorsedAction { ProposalResponsePayload = first };
        var endorsers = new HashSet<ByteString>();
        foreach (var response in responses)
        {
            if (response.Endorsement is { } endorsement && endorsers.Add(endorsement.Endorser))
            {
                action.Endorsements.Add(endorsement);
            }
        }

        var actionPayload = new ChaincodeActionPayload
        {
            ChaincodeProposalPayload = proposal.PayloadWithoutTransient,
            Action = action,
        }.ToByteString();

        var transaction = new Protos.Peer.Transaction();
        transaction.Actions.Add(new TransactionAction { Header = proposal.SignatureHeaderBytes, Payload = actionPayload });

        return new Payload
        {
            Header = Header.Parser.ParseFrom(proposal.HeaderBytes),
            Data = transaction.ToByteString(),
        }.ToByteString();
    }

    /// <summary>The transaction envelope, signed by <paramref name="signer"/>, ready for broadcast.</summary>
    /// <exception cref="FabricInvokeException">As <see cref="CreatePayload"/>.</exception>
    /// <exception cref="ArgumentException">The signer is not the proposal's creator.</exception>
    public static Envelope CreateSignedEnvelope(UnsignedProposal proposal, IReadOnlyList<ProposalResponse> responses, SigningIdentity signer)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(signer);
        var signatureHeader = SignatureHeader.Parser.ParseFrom(proposal.SignatureHeaderBytes);
        if (!signatureHeader.Creator.Span.SequenceEqual(signer.Creator))
        {
            throw new ArgumentException("signer must be the same as the one referenced in the proposal header", nameof(signer));
        }

        var payload = CreatePayload(proposal, responses);
        return new Envelope { Payload = payload, Signature = ByteString.CopyFrom(signer.Sign(payload.Span)) };
    }
}
