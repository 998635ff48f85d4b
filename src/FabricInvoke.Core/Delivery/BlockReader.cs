using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.Core.Delivery;

/// <summary>
/// Reads what clients need out of the blocks a peer delivers: per transaction its id, type, validation code (from the
/// block's TRANSACTIONS_FILTER metadata) and chaincode events. Tolerant like a peer's own readers: an envelope that
/// does not parse is reported as a transaction without id or events, never as a failure of the whole block.
/// </summary>
internal static class BlockReader
{
    public static DeliveredBlock FromFiltered(FilteredBlock block)
    {
        var transactions = new List<DeliveredTransaction>(block.FilteredTransactions.Count);
        for (var i = 0; i < block.FilteredTransactions.Count; i++)
        {
            var tx = block.FilteredTransactions[i];
            var events = tx.TransactionActions?.ChaincodeActions
                .Where(a => a.ChaincodeEvent is not null)
                .Select(a => Event(block.Number, i, tx.Txid, a.ChaincodeEvent))
                .ToList() ?? [];
            transactions.Add(new DeliveredTransaction(i, tx.Txid, tx.Type, tx.TxValidationCode, events));
        }

        return new DeliveredBlock(block.Number, transactions);
    }

    public static DeliveredBlock FromFull(Block block)
    {
        var envelopes = block.Data?.Data ?? [];
        var filter = block.Metadata?.Metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
            ? block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].Span
            : [];
        var transactions = new List<DeliveredTransaction>(envelopes.Count);
        var number = block.Header?.Number ?? 0;
        for (var i = 0; i < envelopes.Count; i++)
        {
            var code = i < filter.Length ? (TxValidationCode)filter[i] : TxValidationCode.NotValidated;
            transactions.Add(ReadTransaction(number, i, envelopes[i], code));
        }

        return new DeliveredBlock(number, transactions);
    }

    /// <summary>A chaincode event of transaction <paramref name="index"/> of block <paramref name="block"/>, with the checkpoint after it.</summary>
    private static ChaincodeEvent Event(ulong block, int index, string txId, Protos.Peer.ChaincodeEvent e) =>
        new(block, e.TxId, e.ChaincodeId, e.EventName, e.Payload.ToByteArray(), new Events.EventCheckpoint(block, index, txId));

    private static DeliveredTransaction ReadTransaction(ulong block, int index, ByteString envelopeBytes, TxValidationCode code)
    {
        string txId = string.Empty;
        var type = HeaderType.Message;
        var events = new List<ChaincodeEvent>();
        try
        {
            var envelope = Envelope.Parser.ParseFrom(envelopeBytes);
            var payload = Payload.Parser.ParseFrom(envelope.Payload);
            var channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header?.ChannelHeader ?? ByteString.Empty);
            txId = channelHeader.TxId;
            type = (HeaderType)channelHeader.Type;
            if (type == HeaderType.EndorserTransaction)
            {
                foreach (var action in Protos.Peer.Transaction.Parser.ParseFrom(payload.Data).Actions)
                {
                    var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(action.Payload);
                    var responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action?.ProposalResponsePayload ?? ByteString.Empty);
                    var chaincodeAction = ChaincodeAction.Parser.ParseFrom(responsePayload.Extension);
                    if (!chaincodeAction.Events.IsEmpty)
                    {
                        var e = Protos.Peer.ChaincodeEvent.Parser.ParseFrom(chaincodeAction.Events);
                        if (!string.IsNullOrEmpty(e.ChaincodeId) || !string.IsNullOrEmpty(e.EventName))
                        {
                            events.Add(Event(block, index, channelHeader.TxId, e));
                        }
                    }
                }
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // A peer marks such an envelope invalid; its events (if any) are not trustworthy.
            events.Clear();
        }

        return new DeliveredTransaction(index, txId, type, code, events);
    }
}
