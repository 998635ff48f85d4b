namespace FabricInvoke.DevNet.Ledger;

/// <summary>
/// Opens the block files of a network's orderer and peers with one rule: verify everything read-only first
/// (<see cref="LedgerScan"/> on every file, then <see cref="LedgerCrossCheck"/>), and change files (cut a torn final
/// record, convert a pre-checksum file, create a missing one) only when all of it passed. A refusal therefore leaves
/// every ledger file byte for byte as it was, and creates none.
/// </summary>
internal static class NetworkLedger
{
    /// <summary>The orderer's store and the peers' stores, in the order of <paramref name="peers"/>.</summary>
    /// <exception cref="DevNetLedgerException">A file is damaged other than by a torn final record, or the files disagree; nothing was changed.</exception>
    /// <exception cref="IOException">A file cannot be read, opened, created or repaired.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static (BlockStore Orderer, List<BlockStore> Peers) Open(
        (string Path, BlockStoreOptions Options) orderer, IReadOnlyList<(string Path, BlockStoreOptions Options)> peers)
    {
        var ordererScan = LedgerScan.Read(orderer.Path, orderer.Options);
        var peerScans = peers.Select(p => LedgerScan.Read(p.Path, p.Options)).ToList();
        LedgerCrossCheck.Verify(orderer.Options.NodeName, ordererScan, peers.Select((p, i) => (p.Options.NodeName, peerScans[i])));

        var opened = new List<BlockStore>();
        try
        {
            var ordererStore = BlockStore.Open(ordererScan, orderer.Options);
            opened.Add(ordererStore);
            var peerStores = new List<BlockStore>();
            for (var i = 0; i < peers.Count; i++)
            {
                var store = BlockStore.Open(peerScans[i], peers[i].Options);
                opened.Add(store);
                peerStores.Add(store);
            }

            return (ordererStore, peerStores);
        }
        catch
        {
            foreach (var store in opened)
            {
                store.Dispose();
            }

            throw;
        }
    }
}
