using System.Buffers.Binary;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>
/// The layout of a node's block file, format version 1:
/// <code>
/// file   = header record*
/// header = "FIDNLDGR" (8 bytes) | version (uint32 BE) = 1 | reserved (uint32) = 0
/// record = length L (uint32 BE) | CRC-32C of the 4 length bytes (uint32 BE) | L bytes: marshalled common.Block | CRC-32C of those L bytes (uint32 BE)
/// </code>
/// Records are in block order from block 0, so a record's index is its block number. The length has its own
/// checksum, so a damaged length prefix is told apart from a torn (short) last record; the payload checksum covers
/// everything in the block, the peer's validation flags (TRANSACTIONS_FILTER) included. CRC-32C detects every error
/// of up to 32 adjacent bits, so a flipped byte anywhere in a record is always seen.
/// A file is read as this format only when its 16 header bytes are exactly the ones above: a header with any other
/// bit set (a flipped bit in the magic, version or reserved bytes) is refused, never taken for another format.
/// The file is created whole (header written to a temporary file, then renamed), so a file shorter than its header
/// is damage, not an interrupted creation.
/// The pre-checksum format (no header; record = int32 BE length | block) is read for migration only, and only when
/// its first record is a complete, valid block 0 (which no damaged header of this format can be).
/// </summary>
internal static class BlockFileFormat
{
    public const int HeaderLength = 16;
    public const uint Version = 1;
    public const int RecordHeaderLength = 8;
    public const int RecordTrailerLength = 4;
    public const int RecordOverhead = RecordHeaderLength + RecordTrailerLength;

    /// <summary>Larger than any block DevNet cuts (gRPC messages are capped at 100 MB); a bound on what a length may claim.</summary>
    public const int MaxPayload = 256 * 1024 * 1024;

    public static ReadOnlySpan<byte> Magic => "FIDNLDGR"u8;

    public static byte[] FileHeader()
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), Version);
        return header;
    }

    public static byte[] Record(ReadOnlySpan<byte> payload)
    {
        var record = new byte[RecordOverhead + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(record, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(4), Crc32C.Compute(record.AsSpan(0, 4)));
        payload.CopyTo(record.AsSpan(RecordHeaderLength));
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(RecordHeaderLength + payload.Length), Crc32C.Compute(payload));
        return record;
    }
}
