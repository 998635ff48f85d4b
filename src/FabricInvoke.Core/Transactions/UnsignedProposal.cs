using FabricInvoke.Core.Identity;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.Core.Transactions;

/// <summary>
/// An unsigned chaincode proposal (the bytes a signer signs) with the pieces later stages need; signing it gives a
/// <see cref="SignedChaincodeProposal"/>. Immutable.
/// </summary>
internal sealed class UnsignedProposal
{
    internal UnsignedProposal(
        string txId,
        string channelId,
        ByteString proposalBytes,
        ByteString headerBytes,
        ByteString channelHeaderBytes,
        ByteString signatureHeaderBytes,
        ByteString payloadWithoutTransient)
    {
        TxId = txId;
        ChannelId = channelId;
        ProposalBytes = proposalBytes;
        HeaderBytes = headerBytes;
        ChannelHeaderBytes = channelHeaderBytes;
        SignatureHeaderBytes = signatureHeaderBytes;
        PayloadWithoutTransient = payloadWithoutTransient;
    }

    /// <summary>The transaction id (ChannelHeader.tx_id).</summary>
    public string TxId { get; }

    /// <summary>The channel (ChannelHeader.channel_id).</summary>
    public string ChannelId { get; }

    /// <summary>Marshalled <c>protos.Proposal</c> (what is signed and sent as SignedProposal.proposal_bytes).</summary>
    public ByteString ProposalBytes { get; }

    /// <summary>Marshalled <c>common.Header</c> (Proposal.header).</summary>
    public ByteString HeaderBytes { get; }

    /// <summary>Marshalled <c>common.SignatureHeader</c> (Header.signature_header).</summary>
    public ByteString SignatureHeaderBytes { get; }

    /// <summary>Marshalled <c>common.ChannelHeader</c> (Header.channel_header).</summary>
    public ByteString ChannelHeaderBytes { get; }

    /// <summary><c>ChaincodeProposalPayload{input}</c> re-encoded without the transient map: what goes into the transaction.</summary>
    public ByteString PayloadWithoutTransient { get; }

    /// <summary>Signs the proposal bytes.</summary>
    public SignedProposal Sign(SigningIdentity signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return new SignedProposal
        {
            ProposalBytes = ProposalBytes,
            Signature = ByteString.CopyFrom(signer.Sign(ProposalBytes.Span)),
        };
    }

    /// <summary>Parses an existing marshalled Proposal, keeping every byte string exactly as it was.</summary>
    /// <exception cref="ArgumentException">The bytes are not a chaincode proposal.</exception>
    public static UnsignedProposal FromProposalBytes(ReadOnlySpan<byte> proposalBytes)
    {
        try
        {
            var proposalByteString = ByteString.CopyFrom(proposalBytes);
            var proposal = Protos.Peer.Proposal.Parser.ParseFrom(proposalByteString);
            var header = Header.Parser.ParseFrom(proposal.Header);
            var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
            var payload = ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload);
            return new UnsignedProposal(
                channelHeader.TxId,
                channelHeader.ChannelId,
                proposalByteString,
                proposal.Header,
                header.ChannelHeader,
                header.SignatureHeader,
                ProposalWire.PayloadWithoutTransient(payload.Input));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ArgumentException("not a marshalled protos.Proposal", nameof(proposalBytes), e);
        }
    }
}
