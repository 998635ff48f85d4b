using System.Buffers.Binary;
using FabricInvoke.DevNet.Storage;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>
/// Ledgers written before block files had a header and checksums (record = int32 BE length | block). One is taken for
/// such a file only when its first record is a complete, valid block 0, and is verified like a current file
/// (<see cref="LedgerScan"/>: number, data hash, previous hash; damage other than a torn final record is refused); it
/// is converted at the first start of a newer fabinvoke, once every file of the network passed, into the current
/// format. The old format cannot show a flipped byte that keeps the chain intact (a validation flag), nor tell a damaged
/// length prefix of the last record from a torn one: such damage is carried over or cut as torn.
/// </summary>
internal static class LegacyBlockFile
{
    /// <summary>Rewrites <paramref name="scan"/>'s file in the current format (whole, by rename); returns its new length.</summary>
    /// <exception cref="IOException">The new file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static long Convert(LedgerScan scan, BlockStoreOptions options)
    {
        var old = scan.PreChecksumContent!;
        var records = new List<byte[]> { BlockFileFormat.FileHeader() };
        foreach (var offset in scan.Offsets)
        {
            // The block's own bytes, as they were written: not re-encoded.
            var length = BinaryPrimitives.ReadInt32BigEndian(old.AsSpan((int)offset));
            records.Add(BlockFileFormat.Record(old.AsSpan((int)offset + 4, length)));
        }

        var content = new byte[records.Sum(r => r.Length)];
        var at = 0;
        foreach (var record in records)
        {
            record.CopyTo(content, at);
            at += record.Length;
        }

        // Always durable: the old file is replaced, so the new one must be on disk before the rename.
        AtomicFile.Write(scan.Path, content, durable: true);
        if (scan.IsTorn)
        {
            BlockStore.ReportCut(scan, options, converting: true);
        }

        options.Diagnostics.Report(DevNetDiagnosticKind.LedgerMigrated, options.NodeName,
            $"{options.NodeName}: converted {scan.Path} ({scan.Height} blocks) from the pre-checksum ledger format to format {BlockFileFormat.Version}");
        return content.Length;
    }
}
