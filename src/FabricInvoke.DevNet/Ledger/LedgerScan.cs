using System.Buffers.Binary;
using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>What a block file holds on disk, as far as <see cref="LedgerScan"/> could tell without changing it.</summary>
internal enum LedgerFileKind
{
    /// <summary>No file: a new node, whose file will be created.</summary>
    Missing,

    /// <summary>The current format (<see cref="BlockFileFormat"/>).</summary>
    Current,

    /// <summary>The pre-checksum format, to be converted.</summary>
    PreChecksum,
}

/// <summary>
/// A block file read and verified without changing it (step one of every start): its chain, where each block's record
/// starts, and whether it ends in a torn record. Only a torn final record — a record header whose length checksum is
/// intact but whose record the file ends inside, or fewer bytes than a record header — is acceptable damage; anything
/// else (a checksum mismatch, a damaged header, zeros where a record should start, a broken chain) throws
/// <see cref="DevNetLedgerException"/> naming the file, the block and the offset. Nothing is written or created here:
/// <see cref="BlockStore.Open(LedgerScan, BlockStoreOptions)"/> applies the result.
/// </summary>
internal sealed class LedgerScan
{
    private readonly List<Block> _blocks;
    private readonly List<long> _offsets;

    private LedgerScan(string path, LedgerFileKind kind, List<Block> blocks, List<long> offsets, long fileLength, long intactLength, byte[]? preChecksumContent)
    {
        Path = path;
        Kind = kind;
        _blocks = blocks;
        _offsets = offsets;
        FileLength = fileLength;
        IntactLength = intactLength;
        PreChecksumContent = preChecksumContent;
    }

    public string Path { get; }

    public LedgerFileKind Kind { get; }

    /// <summary>The complete, verified blocks, from block 0.</summary>
    public IReadOnlyList<Block> Blocks => _blocks;

    /// <summary>Where each block's record starts in the file as it is.</summary>
    public IReadOnlyList<long> Offsets => _offsets;

    public ulong Height => (ulong)_blocks.Count;

    /// <summary>The file's length as read (0 when missing).</summary>
    public long FileLength { get; }

    /// <summary>The length of the intact part: where a torn final record starts, else <see cref="FileLength"/>.</summary>
    public long IntactLength { get; }

    /// <summary>The file ends in a torn record of block <see cref="Height"/>, starting at <see cref="IntactLength"/>.</summary>
    public bool IsTorn => IntactLength < FileLength;

    /// <summary>The whole old file, for a <see cref="LedgerFileKind.PreChecksum"/> file.</summary>
    internal byte[]? PreChecksumContent { get; }

    /// <summary>Reads and verifies <paramref name="path"/>, which is not changed (nor created when missing).</summary>
    /// <exception cref="DevNetLedgerException">The file is damaged other than by a torn final record, or has an unknown format.</exception>
    /// <exception cref="IOException">The file cannot be read, or another handle holds it exclusively.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static LedgerScan Read(string path, BlockStoreOptions options)
    {
        byte[] bytes;
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            bytes = ReadAll(file, path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new LedgerScan(path, LedgerFileKind.Missing, [], [], 0, 0, null);
        }

        if (bytes.Length < BlockFileFormat.HeaderLength)
        {
            // Files are created whole (header, then rename), so a short file is damage, not an interrupted creation.
            throw new DevNetLedgerException(path, null, 0, bytes.Length == 0
                ? $"the file is empty, but a ledger file starts with a {BlockFileFormat.HeaderLength}-byte header"
                : $"the file is {bytes.Length} bytes, shorter than a ledger file's {BlockFileFormat.HeaderLength}-byte header");
        }

        if (bytes.AsSpan().StartsWith(BlockFileFormat.Magic))
        {
            var version = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8));
            if (version != BlockFileFormat.Version)
            {
                throw new DevNetLedgerException(path, null, 8,
                    $"its header names ledger format version {version}, which this fabinvoke does not read (it reads version {BlockFileFormat.Version}): a file from a newer fabinvoke, or a damaged header");
            }

            if (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12)) != 0)
            {
                throw new DevNetLedgerException(path, null, 12, "its header is damaged: its reserved bytes (12-15) are not zero");
            }

            return ReadCurrent(path, bytes, options);
        }

        if (!StartsWithBlockZero(path, bytes, options))
        {
            throw new DevNetLedgerException(path, null, 0,
                $"its header is damaged: it does not start with {System.Text.Encoding.ASCII.GetString(BlockFileFormat.Magic)}, and is not a ledger of the pre-checksum format either (whose first record is block 0)");
        }

        return ReadPreChecksum(path, bytes, options);
    }

    /// <summary>
    /// Parses one record's block and checks it is the next block of the chain: right number, data hash matching its
    /// data, previous hash matching the block before, and (peer) one validation flag per transaction.
    /// </summary>
    /// <exception cref="DevNetLedgerException">It is not.</exception>
    internal static Block Verified(string path, long offset, ReadOnlySpan<byte> payload, IReadOnlyList<Block> chain, BlockStoreOptions options)
    {
        var number = (ulong)chain.Count;
        Block block;
        try
        {
            block = Block.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new DevNetLedgerException(path, number, offset, $"its record is not a block ({e.Message})");
        }

        if (block.Header is null || block.Data is null || block.Metadata is null)
        {
            throw new DevNetLedgerException(path, number, offset, "its record has no header, data or metadata");
        }

        if (block.Header.Number != number)
        {
            throw new DevNetLedgerException(path, number, offset, $"its record holds block {block.Header.Number}");
        }

        if (!block.Header.DataHash.Span.SequenceEqual(BlockHashes.DataHash(block.Data)))
        {
            throw new DevNetLedgerException(path, number, offset, "its data hash does not match its transactions");
        }

        if (chain.Count > 0 && !block.Header.PreviousHash.Span.SequenceEqual(BlockHashes.HeaderHash(chain[^1].Header)))
        {
            throw new DevNetLedgerException(path, number, offset, $"its previous-block hash does not match block {number - 1}");
        }

        if (options.HasValidationFlags)
        {
            var metadata = block.Metadata.Metadata;
            var flags = metadata.Count > (int)BlockMetadataIndex.TransactionsFilter ? metadata[(int)BlockMetadataIndex.TransactionsFilter].Length : 0;
            if (flags != block.Data.Data.Count)
            {
                throw new DevNetLedgerException(path, number, offset, $"it has {flags} validation flag(s) for {block.Data.Data.Count} transaction(s)");
            }
        }

        return block;
    }

    private static LedgerScan ReadCurrent(string path, byte[] bytes, BlockStoreOptions options)
    {
        var blocks = new List<Block>();
        var offsets = new List<long>();
        long offset = BlockFileFormat.HeaderLength;
        while (offset < bytes.Length)
        {
            var number = (ulong)blocks.Count;
            var rest = bytes.AsSpan((int)offset);
            if (rest.Length < BlockFileFormat.RecordHeaderLength)
            {
                // A process killed while appending: part of a record header.
                break;
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(rest);
            if (Crc32C.Compute(rest[..4]) != BinaryPrimitives.ReadUInt32BigEndian(rest[4..]))
            {
                // An interrupted append leaves the start of a record; zeros (a file system's unwritten extent) or
                // anything else where a record header should be is damage, and may cover whole records.
                throw new DevNetLedgerException(path, number, offset, rest.IndexOfAnyExcept((byte)0) < 0
                    ? $"the file holds only zeros from there to its end ({rest.Length} bytes) where its record should start; an interrupted write leaves part of a record, not zeros, so the blocks those bytes held are lost"
                    : "the length prefix of its record is damaged: checksum mismatch");
            }

            if (length > BlockFileFormat.MaxPayload)
            {
                throw new DevNetLedgerException(path, number, offset, $"its record claims {length} bytes, more than a block can have");
            }

            if (rest.Length < BlockFileFormat.RecordOverhead + (long)length)
            {
                // A process killed while appending: an intact record header, and the file ends inside its record.
                break;
            }

            var payload = rest.Slice(BlockFileFormat.RecordHeaderLength, (int)length);
            if (Crc32C.Compute(payload) != BinaryPrimitives.ReadUInt32BigEndian(rest[(BlockFileFormat.RecordHeaderLength + (int)length)..]))
            {
                throw new DevNetLedgerException(path, number, offset, $"its record ({length} bytes) is damaged: checksum mismatch");
            }

            blocks.Add(Verified(path, offset, payload, blocks, options));
            offsets.Add(offset);
            offset += BlockFileFormat.RecordOverhead + length;
        }

        return new LedgerScan(path, LedgerFileKind.Current, blocks, offsets, bytes.Length, offset, null);
    }

    /// <summary>True when the file's first record (int32 BE length | block) is a complete, valid block 0.</summary>
    private static bool StartsWithBlockZero(string path, byte[] bytes, BlockStoreOptions options)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (length <= 0 || length > bytes.Length - 4)
        {
            return false;
        }

        try
        {
            Verified(path, 0, bytes.AsSpan(4, length), [], options);
            return true;
        }
        catch (DevNetLedgerException)
        {
            return false;
        }
    }

    /// <summary>The pre-checksum format: no checksums, so only the chain checks (and the length bound) can find damage.</summary>
    private static LedgerScan ReadPreChecksum(string path, byte[] bytes, BlockStoreOptions options)
    {
        var blocks = new List<Block>();
        var offsets = new List<long>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            var rest = bytes.AsSpan(offset);
            var number = (ulong)blocks.Count;
            if (rest.Length < 4)
            {
                break;
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(rest);
            if (length < 0 || length > BlockFileFormat.MaxPayload)
            {
                throw new DevNetLedgerException(path, number, offset, $"its record's length prefix is damaged: {length} bytes (pre-checksum ledger format)");
            }

            if (rest.Length < 4 + length)
            {
                break;
            }

            blocks.Add(Verified(path, offset, rest.Slice(4, length), blocks, options));
            offsets.Add(offset);
            offset += 4 + length;
        }

        return new LedgerScan(path, LedgerFileKind.PreChecksum, blocks, offsets, bytes.Length, offset, bytes);
    }

    private static byte[] ReadAll(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path)
    {
        var length = RandomAccess.GetLength(file);
        if (length > Array.MaxLength)
        {
            throw new DevNetLedgerException(path, null, null, $"the file is {length} bytes, larger than DevNet can load");
        }

        var bytes = new byte[length];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(file, bytes.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read == bytes.Length ? bytes : bytes[..read];
    }
}
