using System.Collections.Immutable;
using FabricInvoke.Protos.Ledger;
using Google.Protobuf;

using Version = FabricInvoke.Protos.Ledger.Version;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>A committed value and the (block, tx) version that wrote it.</summary>
internal sealed record VersionedValue(ByteString Value, ulong BlockNumber, ulong TxNumber)
{
    public Version ToVersion() => new() { BlockNum = BlockNumber, TxNum = TxNumber };

    public bool Matches(Version? version) => version is not null && version.BlockNum == BlockNumber && version.TxNum == TxNumber;
}

/// <summary>
/// A peer's committed state database: (namespace, key) → versioned value. Readers take an immutable snapshot, so a
/// simulation sees one consistent state while blocks commit.
/// </summary>
internal sealed class WorldState
{
    private ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue> _state =
        ImmutableSortedDictionary.Create<(string Namespace, string Key), VersionedValue>(KeyComparer.Instance);

    /// <summary>The current committed state.</summary>
    public ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue> Snapshot => Volatile.Read(ref _state);

    /// <summary>Replaces the state with <paramref name="next"/> (the committer is the only writer).</summary>
    public void Publish(ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue> next) => Volatile.Write(ref _state, next);

    private sealed class KeyComparer : IComparer<(string Namespace, string Key)>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare((string Namespace, string Key) x, (string Namespace, string Key) y)
        {
            var ns = string.CompareOrdinal(x.Namespace, y.Namespace);
            return ns != 0 ? ns : string.CompareOrdinal(x.Key, y.Key);
        }
    }
}
