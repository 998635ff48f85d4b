using System.Collections.Immutable;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.Protos.Ledger;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

using Version = FabricInvoke.Protos.Ledger.Version;

namespace FabricInvoke.DevNet.Chaincode;

/// <summary>
/// Runs one chaincode invocation against a snapshot of the committed state and records what it read (with versions),
/// what it wrote and the event it set — the raw material of a <c>ChaincodeAction</c>. Like Fabric, reads do not see
/// the transaction's own writes.
/// </summary>
internal sealed class TxSimulator(ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue> snapshot, string txId)
{
    /// <summary>The lifecycle key every Fabric invocation reads to find the chaincode definition.</summary>
    public static readonly (string Namespace, string Key) DefinitionKey = ("_lifecycle", "namespaces/fields/basic/Sequence");

    private readonly SortedDictionary<(string Namespace, string Key), Version?> _reads = new(Comparer.Instance);
    private readonly SortedDictionary<(string Namespace, string Key), ByteString> _writes = new(Comparer.Instance);

    public string TxId { get; } = txId;

    /// <summary>The event set by the chaincode, if any.</summary>
    public ChaincodeEvent? Event { get; private set; }

    /// <summary>Reads a key's committed value (null when absent) and records the read version.</summary>
    public ByteString? GetState(string ns, string key)
    {
        snapshot.TryGetValue((ns, key), out var value);
        _reads.TryAdd((ns, key), value?.ToVersion());
        return value?.Value;
    }

    public void PutState(string ns, string key, ByteString value) => _writes[(ns, key)] = value;

    public void SetEvent(string chaincodeId, string name, ByteString payload) =>
        Event = new ChaincodeEvent { ChaincodeId = chaincodeId, TxId = TxId, EventName = name, Payload = payload };

    /// <summary>The marshalled <c>rwset.TxReadWriteSet</c>: namespaces and keys in byte order, so every peer encodes it identically.</summary>
    public ByteString Results()
    {
        var set = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        var namespaces = _reads.Keys.Select(k => k.Namespace).Concat(_writes.Keys.Select(k => k.Namespace))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var ns in namespaces)
        {
            var kv = new KVRWSet();
            foreach (var ((readNs, key), version) in _reads)
            {
                if (readNs == ns)
                {
                    var read = new KVRead { Key = key };
                    if (version is not null)
                    {
                        read.Version = version;
                    }

                    kv.Reads.Add(read);
                }
            }

            foreach (var ((writeNs, key), value) in _writes)
            {
                if (writeNs == ns)
                {
                    kv.Writes.Add(new KVWrite { Key = key, Value = value });
                }
            }

            set.NsRwset.Add(new NsReadWriteSet { Namespace = ns, Rwset = kv.ToByteString() });
        }

        return set.ToByteString();
    }

    private sealed class Comparer : IComparer<(string Namespace, string Key)>
    {
        public static readonly Comparer Instance = new();

        public int Compare((string Namespace, string Key) x, (string Namespace, string Key) y)
        {
            var ns = string.CompareOrdinal(x.Namespace, y.Namespace);
            return ns != 0 ? ns : string.CompareOrdinal(x.Key, y.Key);
        }
    }
}
