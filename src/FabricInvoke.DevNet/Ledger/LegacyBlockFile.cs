using System.Buffers.Binary;
using FabricInvoke.DevNet.Storage;
using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>
/// Ledgers written before block files had a header and checksums (record = int32 BE length | block). They are
/// converted once, at the first start of a newer fabinvoke, into the current format; the chain checks apply on the way
/// (number, data hash, previous hash), so damage other than a torn tail is refused as for a current file. The old
/// format cannot show a flipped byte that keeps the chain intact (a validation flag): such damage is carried over.
/// </summary>
internal static class LegacyBlockFile
{
    /// <summary>Rewrites <paramref name="path"/> (whose old content is <paramref name="bytes"/>) in the current format.</summary>
    /// <exception cref="DevNetLedgerException">The old file is damaged.</exception>
    /// <exception cref="IOException">The new file cannot be written.</exception>
    public static void Migrate(string path, byte[] bytes, BlockStoreOptions options)
    {
        var chain = new List<Block>();
        var records = new List<byte[]> { BlockFileFormat.FileHeader() };
        var offset = 0;
        while (offset < bytes.Length)
        {
            var rest = bytes.AsSpan(offset);
            var number = (ulong)chain.Count;
            if (rest.Length < 4 || rest.IndexOfAnyExcept((byte)0) < 0)
            {
                ReportCut(path, chain.Count, offset, rest.Length, options);
                break;
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(rest);
            if (length < 0 || length > BlockFileFormat.MaxPayload)
            {
                throw new DevNetLedgerException(path, number, $"its record's length prefix (offset {offset}) is damaged: {length} bytes (pre-checksum ledger format)");
            }

            if (rest.Length < 4 + length)
            {
                ReportCut(path, chain.Count, offset, rest.Length, options);
                break;
            }

            var block = BlockStore.Verified(path, rest.Slice(4, length), chain, options);
            chain.Add(block);
            records.Add(BlockFileFormat.Record(rest.Slice(4, length)));
            offset += 4 + length;
        }

        var content = new byte[records.Sum(r => r.Length)];
        var at = 0;
        foreach (var record in records)
        {
            record.CopyTo(content, at);
            at += record.Length;
        }

        // Always durable: the old file is replaced, so the new one must be on disk before the rename.
        AtomicFile.Write(path, content, durable: true);
        options.Diagnostics.Report(DevNetDiagnosticKind.LedgerMigrated, options.NodeName,
            $"{options.NodeName}: converted {path} ({chain.Count} blocks) from the pre-checksum ledger format to format {BlockFileFormat.Version}");
    }

    private static void ReportCut(string path, int blocks, int offset, int bytes, BlockStoreOptions options) =>
        options.Diagnostics.Report(DevNetDiagnosticKind.LedgerTailCut, options.NodeName,
            $"{options.NodeName}: cut a torn last record ({bytes} bytes at offset {offset}) from {path} while converting it; the ledger resumes at height {blocks}");
}
