using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Gateway;
using FabricInvoke.Protos.Orderer;
using Google.Protobuf;

namespace FabricInvoke.Core.Gateway;

/// <summary>The Gateway service's requests, built from the same proposal and identity as the direct path. Pure.</summary>
internal static class GatewayRequests
{
    public static EndorseRequest Endorse(SignedChaincodeProposal proposal, IEnumerable<string> endorsingOrganizations)
    {
        var request = new EndorseRequest { TransactionId = proposal.TxId, ChannelId = proposal.ChannelId, ProposedTransaction = proposal.Signed };
        request.EndorsingOrganizations.AddRange(endorsingOrganizations);
        return request;
    }

    public static EvaluateRequest Evaluate(SignedChaincodeProposal proposal, IEnumerable<string> targetOrganizations)
    {
        var request = new EvaluateRequest { TransactionId = proposal.TxId, ChannelId = proposal.ChannelId, ProposedTransaction = proposal.Signed };
        request.TargetOrganizations.AddRange(targetOrganizations);
        return request;
    }

    /// <summary><c>CommitStatusRequest{transaction_id, channel_id, identity = creator}</c>, marshalled and signed by the creator.</summary>
    public static SignedCommitStatusRequest CommitStatus(string txId, string channelId, SigningIdentity signer)
    {
        var request = new CommitStatusRequest { TransactionId = txId, ChannelId = channelId, Identity = ByteString.CopyFrom(signer.Creator) }.ToByteString();
        return new SignedCommitStatusRequest { Request = request, Signature = ByteString.CopyFrom(signer.Sign(request.Span)) };
    }

    /// <summary>
    /// <c>ChaincodeEventsRequest{channel_id, chaincode_id, identity, start_position}</c>, marshalled and signed. The start is
    /// written the way a Fabric gateway accepts it (<see cref="GatewayStart"/>).
    /// </summary>
    /// <param name="afterTxId">Resume inside the start block after this transaction (a checkpoint's), or null.</param>
    public static SignedChaincodeEventsRequest ChaincodeEvents(string channelId, string chaincodeId, SeekFrom start, SigningIdentity signer, string? afterTxId = null)
    {
        var request = new ChaincodeEventsRequest
        {
            ChannelId = channelId,
            ChaincodeId = chaincodeId,
            Identity = ByteString.CopyFrom(signer.Creator),
            StartPosition = GatewayStart(start),
            AfterTransactionId = afterTxId ?? string.Empty,
        }.ToByteString();
        return new SignedChaincodeEventsRequest { Request = request, Signature = ByteString.CopyFrom(signer.Sign(request.Span)) };
    }

    /// <summary>
    /// A start position a Fabric v2.4+ gateway takes: it refuses SeekOldest and SeekNewest (InvalidArgument "invalid start
    /// position type"), and accepts a block number or the next commit. Oldest is block 0; newest is the next block to
    /// commit (the gateway has no "current last block").
    /// </summary>
    public static SeekPosition GatewayStart(SeekFrom start) => start.Kind switch
    {
        SeekPosition.TypeOneofCase.Oldest => new SeekPosition { Specified = new SeekSpecified { Number = 0 } },
        SeekPosition.TypeOneofCase.Newest => new SeekPosition { NextCommit = new SeekNextCommit() },
        _ => start.ToProto(),
    };
}
