namespace FabricInvoke.DevNet.Ledger;

/// <summary>
/// The start-up check between a peer's chain and its orderer's, on the verified (not yet opened) files: every block a
/// peer has must be the orderer's block of the same number. A peer behind its orderer is normal (it catches up). The
/// orderer writes a block before any peer can have it, so a peer ahead of it means the orderer's file lost blocks
/// (its file is named); a peer diverging from it means a ledger was replaced (the peer's file is named). Either way the
/// network would wedge on it, so it is refused instead.
/// </summary>
internal static class LedgerCrossCheck
{
    /// <exception cref="DevNetLedgerException">A peer is ahead of the orderer or has a block the orderer does not.</exception>
    public static void Verify(string ordererName, LedgerScan orderer, IEnumerable<(string Name, LedgerScan Blocks)> peers)
    {
        foreach (var (name, blocks) in peers)
        {
            if (blocks.Height > orderer.Height)
            {
                var has = $"{name} has blocks up to {blocks.Height - 1} ({blocks.Path})";
                throw new DevNetLedgerException(orderer.Path, orderer.Height, orderer.IntactLength, orderer.Kind switch
                {
                    LedgerFileKind.Missing => $"{ordererName}'s ledger file is missing, but {has}",
                    _ when orderer.IsTorn => $"{ordererName}'s file ends in a torn record of this block ({orderer.FileLength - orderer.IntactLength} bytes), but {has}: the orderer wrote the whole block before any peer had it, so its file lost data",
                    _ => $"{ordererName}'s file ends before this block, but {has}: the orderer writes a block before any peer has it, so its file lost blocks",
                });
            }

            for (var number = 0; number < blocks.Blocks.Count; number++)
            {
                var mine = blocks.Blocks[number].Header;
                var theirs = orderer.Blocks[number].Header;
                if (!mine.DataHash.Equals(theirs.DataHash) || !mine.PreviousHash.Equals(theirs.PreviousHash))
                {
                    throw new DevNetLedgerException(blocks.Path, (ulong)number, blocks.Offsets[number],
                        $"{name}'s block differs from {ordererName}'s block {number} ({orderer.Path}): the two files hold different chains");
                }
            }
        }
    }
}
