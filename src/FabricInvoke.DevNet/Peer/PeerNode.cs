using System.Collections.Concurrent;
using FabricInvoke.DevNet.Chaincode;
using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Peer;

/// <summary>
/// One peer joined to the channel: its identity, block store, world state and committer. Blocks arrive from the
/// orderer through <see cref="Commit"/>; each peer validates them independently and stamps its own TRANSACTIONS_FILTER.
/// </summary>
internal sealed class PeerNode : IDisposable
{
    private readonly Lock _commitGate = new();
    private readonly ConcurrentDictionary<string, byte> _txIds = new(StringComparer.Ordinal);
    private readonly BlockValidator _validator;

    public PeerNode(string channelId, NodeMaterial identity, string tlsRootCertFile, MspRegistry msp, BlockStore blocks, PeerFaults faults)
    {
        ChannelId = channelId;
        Identity = identity;
        TlsRootCertFile = tlsRootCertFile;
        Msp = msp;
        Blocks = blocks;
        Faults = faults;
        _validator = new BlockValidator(msp, channelId);

        var state = State.Snapshot.SetItem(TxSimulator.DefinitionKey, new VersionedValue(ByteString.CopyFromUtf8("1"), 0, 0));
        var known = new List<string>();
        for (ulong number = 0; number < blocks.Height; number++)
        {
            state = BlockValidator.Replay(blocks.Get(number)!, state, known);
        }

        foreach (var txId in known)
        {
            _txIds.TryAdd(txId, 0);
        }

        State.Publish(state);
    }

    public string ChannelId { get; }

    public NodeMaterial Identity { get; }

    public string Name => Identity.Name;

    public string TlsRootCertFile { get; }

    public MspRegistry Msp { get; }

    public BlockStore Blocks { get; }

    public WorldState State { get; } = new();

    public PeerFaults Faults { get; }

    /// <summary>True when a transaction with this ID is on this peer's ledger (valid or not).</summary>
    public bool HasTransaction(string txId) => _txIds.ContainsKey(txId);

    /// <summary>Validates and commits the orderer's block <paramref name="ordered"/> (which is not modified).</summary>
    public void Commit(Block ordered)
    {
        lock (_commitGate)
        {
            if (ordered.Header.Number != Blocks.Height)
            {
                return;
            }

            var validation = _validator.Validate(ordered, State.Snapshot, HasTransaction, Faults.ForceValidationCode);
            var block = ordered.Clone();
            while (block.Metadata.Metadata.Count < 5)
            {
                block.Metadata.Metadata.Add(ByteString.Empty);
            }

            block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter] =
                ByteString.CopyFrom(validation.Codes.Select(c => (byte)c).ToArray());
            foreach (var txId in validation.TxIds)
            {
                _txIds.TryAdd(txId, 0);
            }

            // State first, then the block: a client that sees the block can immediately read its writes.
            State.Publish(validation.State);
            Blocks.Append(block);
        }
    }

    public void Dispose()
    {
        Blocks.Dispose();
        Identity.Dispose();
    }
}
