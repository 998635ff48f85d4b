using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.DevNet.Gateway;

/// <summary>Where and how a transaction was committed on one peer.</summary>
internal readonly record struct CommittedTransaction(ulong BlockNumber, TxValidationCode Code);

/// <summary>
/// A peer's "transaction id → block and validation code" lookup (the ledger's GetTxValidationCodeByTxID and
/// GetBlockByTxID), read from the blocks the peer has written: it catches up on the block store on demand, so a
/// transaction is found only once the peer itself has committed it. The first occurrence of a txid wins, as on a
/// Fabric ledger (a later duplicate is recorded as DUPLICATE_TXID in its own block but not indexed).
/// </summary>
internal sealed class CommitIndex(BlockStore blocks)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CommittedTransaction> _byTxId = new(StringComparer.Ordinal);
    private ulong _indexed;

    public BlockStore Blocks => blocks;

    /// <summary>The transaction's commit on this peer, if it is in a block already written.</summary>
    public CommittedTransaction? Find(string txId)
    {
        lock (_gate)
        {
            CatchUp();
            return _byTxId.TryGetValue(txId, out var found) ? found : null;
        }
    }

    /// <summary>Completes when this peer has committed <paramref name="txId"/> (at once when it already has).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<CommittedTransaction> WaitAsync(string txId, CancellationToken cancellationToken)
    {
        while (true)
        {
            // The height first: a block written between the lookup and the wait is then still waited for.
            var height = blocks.Height;
            if (Find(txId) is { } found)
            {
                return found;
            }

            await blocks.WaitForBlockAsync(height, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The chaincode events of the VALID endorser transactions of <paramref name="block"/>, in transaction order.</summary>
    public static IEnumerable<ChaincodeEvent> EventsOf(Block block)
    {
        var filter = Filter(block);
        for (var index = 0; index < block.Data.Data.Count; index++)
        {
            if (index >= filter.Length || filter[index] != (byte)TxValidationCode.Valid)
            {
                continue;
            }

            var tx = ParsedTransaction.TryParse(block.Data.Data[index], out _);
            if (tx?.Type != HeaderType.EndorserTransaction || tx.ChaincodeAction is not { } action || action.Events.IsEmpty)
            {
                continue;
            }

            ChaincodeEvent ccEvent;
            try
            {
                ccEvent = ChaincodeEvent.Parser.ParseFrom(action.Events);
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                continue;
            }

            if (ccEvent.ChaincodeId.Length > 0 && ccEvent.EventName.Length > 0)
            {
                yield return ccEvent;
            }
        }
    }

    private void CatchUp()
    {
        for (var number = _indexed; blocks.Get(number) is { } block; number++)
        {
            var filter = Filter(block);
            for (var index = 0; index < block.Data.Data.Count; index++)
            {
                var tx = ParsedTransaction.TryParse(block.Data.Data[index], out _);
                if (tx is null || tx.TxId.Length == 0)
                {
                    continue;
                }

                var code = index < filter.Length ? (TxValidationCode)filter[index] : TxValidationCode.InvalidOtherReason;
                _byTxId.TryAdd(tx.TxId, new CommittedTransaction(number, code));
            }

            _indexed = number + 1;
        }
    }

    private static byte[] Filter(Block block) =>
        block.Metadata.Metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
            ? block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].ToByteArray()
            : [];
}
