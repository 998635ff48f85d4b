namespace FabricInvoke.DevNet.Ledger;

/// <summary>
/// The start-up check between a peer's chain and its orderer's: every block a peer has must be the orderer's block of
/// the same number. A peer behind its orderer is normal (it catches up); a peer ahead of it or diverging from it means
/// a ledger was lost, damaged or replaced, and the network would wedge on it, so it is refused instead.
/// </summary>
internal static class LedgerCrossCheck
{
    /// <exception cref="DevNetLedgerException">A peer is ahead of the orderer or has a block the orderer does not.</exception>
    public static void Verify(string ordererName, BlockStore orderer, IEnumerable<(string Name, BlockStore Blocks)> peers)
    {
        foreach (var (name, blocks) in peers)
        {
            if (blocks.Height > orderer.Height)
            {
                throw new DevNetLedgerException(blocks.Path ?? name, orderer.Height,
                    $"{name} has {blocks.Height} blocks but {ordererName} only {orderer.Height} ({orderer.Path}): the peer is ahead of its orderer");
            }

            for (ulong number = 0; number < blocks.Height; number++)
            {
                var mine = blocks.Get(number)!.Header;
                var theirs = orderer.Get(number)!.Header;
                if (!mine.DataHash.Equals(theirs.DataHash) || !mine.PreviousHash.Equals(theirs.PreviousHash))
                {
                    throw new DevNetLedgerException(blocks.Path ?? name, number,
                        $"{name}'s block differs from {ordererName}'s block {number} ({orderer.Path})");
                }
            }
        }
    }
}
