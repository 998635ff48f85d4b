using FabricInvoke.Core.Identity;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf.WellKnownTypes;

namespace FabricInvoke.Core.Transactions;

/// <summary>
/// The first stage: a chaincode proposal, built byte-for-byte as the Go peer CLI builds it (an <see cref="UnsignedProposal"/>) and signed. It carries its
/// transaction id from here to the end; endorsement (<see cref="Endorsement.Endorser"/>, or a Gateway) turns it into
/// an <see cref="Endorsement.EndorsedTransaction"/>. Immutable.
/// </summary>
internal sealed class SignedChaincodeProposal
{
    private SignedChaincodeProposal(ChaincodeInvocation invocation, UnsignedProposal unsigned, SignedProposal signed, SigningIdentity signer, DateTimeOffset createdAt)
    {
        Invocation = invocation;
        Unsigned = unsigned;
        Signed = signed;
        Signer = signer;
        CreatedAt = createdAt;
    }

    /// <summary>The transaction id: hex(SHA-256(nonce ‖ creator)).</summary>
    public string TxId => Unsigned.TxId;

    /// <summary>The channel the proposal is for.</summary>
    public string ChannelId => Invocation.ChannelId;

    /// <summary>The chaincode it invokes.</summary>
    public string ChaincodeName => Invocation.ChaincodeName;

    /// <summary>What is invoked.</summary>
    public ChaincodeInvocation Invocation { get; }

    /// <summary>The proposal header's timestamp.</summary>
    public DateTimeOffset CreatedAt { get; }

    internal UnsignedProposal Unsigned { get; }

    internal SignedProposal Signed { get; }

    /// <summary>The creator, who also signs the transaction and the commit-wait requests.</summary>
    internal SigningIdentity Signer { get; }

    /// <summary>Builds and signs a new proposal (fresh nonce, the clock's time with nanoseconds, as Go's time.Now()).</summary>
    /// <exception cref="Errors.FabricInvokeException">Usage: the transient map has a duplicate key.</exception>
    public static SignedChaincodeProposal Create(ChaincodeInvocation invocation, SigningIdentity signer, TimeProvider? time = null) =>
        Create(invocation, signer, time, HeaderType.EndorserTransaction);

    /// <summary>A proposal of another header type (CONFIG for the orderer discovery's cscc request).</summary>
    internal static SignedChaincodeProposal Create(ChaincodeInvocation invocation, SigningIdentity signer, TimeProvider? time, HeaderType headerType)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(signer);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var unsigned = ProposalBuilder.Create(invocation, signer.Creator, TxIds.NewNonce(), Timestamp.FromDateTimeOffset(now), headerType);
        return new SignedChaincodeProposal(invocation, unsigned, unsigned.Sign(signer), signer, now);
    }

    /// <summary>An unsigned proposal for <paramref name="creator"/> (fresh nonce, the clock's time), to be signed offline.</summary>
    internal static (UnsignedProposal Unsigned, DateTimeOffset CreatedAt) CreateUnsigned(ChaincodeInvocation invocation, byte[] creator, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return (ProposalBuilder.Create(invocation, creator, TxIds.NewNonce(), Timestamp.FromDateTimeOffset(now)), now);
    }

    /// <summary>An unsigned proposal with a signature made elsewhere over its <see cref="UnsignedProposal.ProposalBytes"/>.</summary>
    internal static SignedChaincodeProposal WithSignature(ChaincodeInvocation invocation, UnsignedProposal unsigned, ReadOnlySpan<byte> signature, SigningIdentity signer, DateTimeOffset createdAt) =>
        new(invocation, unsigned, new SignedProposal { ProposalBytes = unsigned.ProposalBytes, Signature = Google.Protobuf.ByteString.CopyFrom(signature) }, signer, createdAt);

    /// <summary>A proposal that was built and signed before (e.g. captured from the wire), kept byte for byte.</summary>
    /// <exception cref="ArgumentException">The bytes are not a chaincode proposal.</exception>
    internal static SignedChaincodeProposal FromSigned(SignedProposal signed, SigningIdentity signer)
    {
        var unsigned = UnsignedProposal.FromProposalBytes(signed.ProposalBytes.Span);
        var proposal = Protos.Peer.Proposal.Parser.ParseFrom(signed.ProposalBytes);
        var header = Header.Parser.ParseFrom(proposal.Header);
        var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
        var spec = ChaincodeInvocationSpec.Parser.ParseFrom(ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload).Input).ChaincodeSpec;
        var invocation = new ChaincodeInvocation(
            channelHeader.ChannelId, spec.ChaincodeId.Name, spec.Input.Args.Select(a => a.ToByteArray()).ToList(), [], spec.Input.IsInit);
        return new SignedChaincodeProposal(invocation, unsigned, signed, signer, channelHeader.Timestamp.ToDateTimeOffset());
    }
}
