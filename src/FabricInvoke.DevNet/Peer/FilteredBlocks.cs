using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Peer;

/// <summary>Turns a committed block into the <c>FilteredBlock</c> peers send on DeliverFiltered.</summary>
internal static class FilteredBlocks
{
    /// <summary>
    /// txid, type and validation code per transaction; for endorser transactions always a transaction_actions
    /// element holding the chaincode event without its payload (like Fabric, even for invalid transactions).
    /// </summary>
    public static FilteredBlock From(Block block, string channelId)
    {
        var filtered = new FilteredBlock { ChannelId = channelId, Number = block.Header.Number };
        var filter = block.Metadata.Metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
            ? block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter]
            : ByteString.Empty;
        for (var index = 0; index < block.Data.Data.Count; index++)
        {
            var tx = ParsedTransaction.TryParse(block.Data.Data[index], out _);
            if (tx is null)
            {
                continue;
            }

            var item = new FilteredTransaction
            {
                Txid = tx.TxId,
                Type = tx.Type,
                TxValidationCode = index < filter.Length ? (TxValidationCode)filter[index] : TxValidationCode.NotValidated,
            };
            if (tx.Type == HeaderType.EndorserTransaction)
            {
                var actions = new FilteredTransactionActions();
                if (tx.ChaincodeAction is { Events.IsEmpty: false } action)
                {
                    var ccEvent = ChaincodeEvent.Parser.ParseFrom(action.Events);
                    if (!string.IsNullOrEmpty(ccEvent.ChaincodeId))
                    {
                        ccEvent.Payload = ByteString.Empty;
                        actions.ChaincodeActions.Add(new FilteredChaincodeAction { ChaincodeEvent = ccEvent });
                    }
                }

                item.TransactionActions = actions;
            }

            filtered.FilteredTransactions.Add(item);
        }

        return filtered;
    }
}
