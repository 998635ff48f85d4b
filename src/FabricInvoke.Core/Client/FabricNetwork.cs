using System.Runtime.CompilerServices;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Events;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core;

/// <summary>One channel as a <see cref="FabricClient"/> sees it: its contracts, and its events.</summary>
public sealed class FabricNetwork
{
    private readonly FabricClient _client;

    internal FabricNetwork(FabricClient client, string name)
    {
        _client = client;
        Name = name;
    }

    /// <summary>The channel name.</summary>
    public string Name { get; }

    /// <summary>The chaincode <paramref name="chaincodeName"/> on this channel.</summary>
    /// <param name="chaincodeName">The chaincode's name, e.g. <c>basic</c>.</param>
    /// <returns>A lightweight view; get it as often as you like.</returns>
    public Contract GetContract(string chaincodeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(chaincodeName);
        return new Contract(_client, this, chaincodeName);
    }

    /// <summary>
    /// A proposal built and signed elsewhere: <paramref name="proposalBytes"/> is a <see cref="Proposal.Bytes"/>, and
    /// <paramref name="signature"/> the client identity's signature over it (over <see cref="Proposal.Digest"/> for a
    /// signer that signs digests).
    /// </summary>
    /// <param name="proposalBytes">The marshalled proposal.</param>
    /// <param name="signature">The signature.</param>
    /// <returns>The signed proposal, ready to endorse or evaluate.</returns>
    /// <exception cref="ArgumentException">The bytes are not a chaincode proposal, or not for this channel.</exception>
    public Proposal NewSignedProposal(byte[] proposalBytes, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(proposalBytes);
        ArgumentNullException.ThrowIfNull(signature);
        var signed = SignedChaincodeProposal.FromSigned(
            new Protos.Peer.SignedProposal { ProposalBytes = Google.Protobuf.ByteString.CopyFrom(proposalBytes), Signature = Google.Protobuf.ByteString.CopyFrom(signature) },
            _client.Signer);
        if (signed.ChannelId != Name)
        {
            throw new ArgumentException($"the proposal is for channel {signed.ChannelId}, not {Name}", nameof(proposalBytes));
        }

        return new Proposal(_client, this, signed.Invocation, signed.Unsigned, signed, []);
    }

    /// <summary>
    /// A transaction endorsed and signed elsewhere (fabric-gateway's NewSignedTransaction): <paramref name="transactionBytes"/>
    /// is a <see cref="Transaction.Bytes"/>, and <paramref name="signature"/> the client identity's signature over it
    /// (over <see cref="Transaction.Digest"/> for a signer that signs digests).
    /// </summary>
    /// <param name="transactionBytes">The marshalled transaction payload.</param>
    /// <param name="signature">The signature.</param>
    /// <returns>The signed transaction, ready to submit.</returns>
    /// <exception cref="ArgumentException">The bytes are not an endorsed chaincode transaction, or not for this channel.</exception>
    public Transaction NewSignedTransaction(byte[] transactionBytes, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(transactionBytes);
        ArgumentNullException.ThrowIfNull(signature);
        Endorsement.EndorsedTransaction endorsed;
        try
        {
            endorsed = Endorsement.EndorsedTransaction.FromSignedPayload(Google.Protobuf.ByteString.CopyFrom(transactionBytes), signature, _client.Signer);
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or InvalidDataException or ArgumentException)
        {
            throw new ArgumentException($"not an endorsed chaincode transaction: {e.Message}", nameof(transactionBytes), e);
        }

        if (endorsed.Proposal.ChannelId != Name)
        {
            throw new ArgumentException($"the transaction is for channel {endorsed.Proposal.ChannelId}, not {Name}", nameof(transactionBytes));
        }

        return new Transaction(_client, this, endorsed, signed: true);
    }

    /// <summary>
    /// The chaincode events of <paramref name="chaincodeName"/> in committed VALID transactions, in ledger order, as they
    /// come; the stream re-opens by itself after a break (up to <see cref="FabricClientOptions.EventReconnectTimeout"/>).
    /// Each event carries its <see cref="ChaincodeEvent.Checkpoint"/>: pass the last one processed as
    /// <paramref name="after"/> to resume exactly after it.
    /// </summary>
    /// <param name="chaincodeName">The chaincode.</param>
    /// <param name="startBlock">Where to start without a checkpoint; null: the next block to come.</param>
    /// <param name="after">Resume after this event.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The events.</returns>
    /// <exception cref="Errors.FabricInvokeException">Connection (no peer reachable), Deliver (a lasting refusal, or given up reconnecting).</exception>
    public async IAsyncEnumerable<ChaincodeEvent> ChaincodeEventsAsync(
        string chaincodeName, ulong? startBlock = null, EventCheckpoint? after = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(chaincodeName);
        var follower = new EventFollower(_client.Connections, Name, _client.Options.EventReconnectTimeout);
        var start = startBlock is { } b ? SeekFrom.Block(b) : SeekFrom.Newest;
        var gateway = _client.Options.Path == SubmitPath.Gateway;
        await foreach (var block in follower.ChaincodeEventsAsync(chaincodeName, [], start, after, gateway, cancellationToken).ConfigureAwait(false))
        {
            foreach (var e in block.Events)
            {
                yield return new ChaincodeEvent(e.Block, e.TxId, e.ChaincodeId, e.EventName, e.Payload, new EventCheckpoint(e.Block, e.TxIndex, e.TxId));
            }
        }
    }

    /// <summary>
    /// Every block's transactions (ids and validation codes), in order, from the peers' filtered deliver service; the
    /// stream re-opens by itself after a break.
    /// </summary>
    /// <param name="startBlock">The first block; null: the next block to come.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The blocks.</returns>
    /// <exception cref="Errors.FabricInvokeException">Connection (no peer reachable), Deliver (a lasting refusal, or given up reconnecting).</exception>
    public IAsyncEnumerable<DeliveredBlock> BlockEventsAsync(ulong? startBlock = null, CancellationToken cancellationToken = default)
    {
        var follower = new EventFollower(_client.Connections, Name, _client.Options.EventReconnectTimeout);
        return follower.BlocksAsync(startBlock is { } b ? SeekFrom.Block(b) : SeekFrom.Newest, null, cancellationToken);
    }
}

/// <summary>One chaincode event of a committed VALID transaction.</summary>
/// <param name="BlockNumber">The block the transaction is in.</param>
/// <param name="TxId">The transaction that emitted it.</param>
/// <param name="ChaincodeName">The chaincode that emitted it.</param>
/// <param name="EventName">The event's name.</param>
/// <param name="Payload">The event's payload.</param>
/// <param name="Checkpoint">Where the stream stands after this event: resume from it with <see cref="FabricNetwork.ChaincodeEventsAsync"/>.</param>
public sealed record ChaincodeEvent(ulong BlockNumber, string TxId, string ChaincodeName, string EventName, byte[] Payload, EventCheckpoint Checkpoint);
