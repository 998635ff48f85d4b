using System.Buffers.Binary;
using FabricInvoke.DevNet.Hosting;
using FabricInvoke.Protos.Common;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>How a <see cref="BlockStore"/> keeps its file.</summary>
/// <param name="NodeName">The node the ledger belongs to, for messages.</param>
/// <param name="Diagnostics">Where a torn tail that was cut or a migration is reported.</param>
/// <param name="Durable">fsync every appended block before it becomes visible.</param>
/// <param name="Faults">The node's fault switches (write failures), if any.</param>
/// <param name="HasValidationFlags">A peer's ledger: every block must carry one validation flag per transaction.</param>
internal sealed record BlockStoreOptions(
    string NodeName,
    DiagnosticSink Diagnostics,
    bool Durable = false,
    ILedgerFaults? Faults = null,
    bool HasValidationFlags = false);

/// <summary>
/// A node's chain of blocks: appended in order, read by number, and awaited by deliver streams. With a file
/// (<see cref="BlockFileFormat"/>), a block is written (and with <see cref="BlockStoreOptions.Durable"/> fsynced)
/// before it becomes visible to readers, and the chain is reloaded and verified on the next start: a torn last
/// record is cut (and reported); any other damage refuses the file with <see cref="DevNetLedgerException"/>.
/// The file is opened exclusively: no other handle (in this process or another) may write it meanwhile.
/// </summary>
internal sealed class BlockStore : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Block> _blocks;
    private readonly SafeFileHandle? _file;
    private readonly BlockStoreOptions? _options;
    private long _length;
    private bool _tailDirty;
    private bool _disposed;
    private TaskCompletionSource _appended = NewSignal();

    private BlockStore(string? path, SafeFileHandle? file, BlockStoreOptions? options, List<Block> blocks, long length)
    {
        Path = path;
        _file = file;
        _options = options;
        _blocks = blocks;
        _length = length;
    }

    /// <summary>The block file, or null for a memory-only chain.</summary>
    public string? Path { get; }

    /// <summary>A chain kept in memory only.</summary>
    public static BlockStore InMemory() => new(null, null, null, [], 0);

    /// <summary>Opens (or creates) <paramref name="path"/> and loads its chain, verifying every record.</summary>
    /// <exception cref="DevNetLedgerException">The file is damaged other than by a torn last record, or has an unknown format.</exception>
    /// <exception cref="IOException">The file cannot be opened (another handle holds it), read or repaired.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static BlockStore Open(string path, BlockStoreOptions options)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var bytes = ReadAll(file, path);
            if (bytes.Length > 0 && !BlockFileFormat.IsTornHeader(bytes) && !bytes.AsSpan().StartsWith(BlockFileFormat.Magic))
            {
                // The pre-checksum format: convert it once, then open the converted file.
                file.Dispose();
                LegacyBlockFile.Migrate(path, bytes, options);
                file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                bytes = ReadAll(file, path);
            }

            var (blocks, length) = Load(path, bytes, options);
            if (length == 0)
            {
                // A new file, or one whose creator died before its header was complete.
                RandomAccess.SetLength(file, 0);
                RandomAccess.Write(file, BlockFileFormat.FileHeader(), 0);
                length = BlockFileFormat.HeaderLength;
                FlushIf(options.Durable, file);
            }
            else if (length != bytes.Length)
            {
                // A torn last write (a process killed mid-append) is cut off, like a ledger recovering to its last complete block.
                RandomAccess.SetLength(file, length);
                FlushIf(options.Durable, file);
            }

            return new BlockStore(path, file, options, blocks, length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Number of blocks (the next block's number).</summary>
    public ulong Height
    {
        get
        {
            lock (_gate)
            {
                return (ulong)_blocks.Count;
            }
        }
    }

    /// <summary>The block with number <paramref name="number"/>, or null when it does not exist yet.</summary>
    public Block? Get(ulong number)
    {
        lock (_gate)
        {
            return number < (ulong)_blocks.Count ? _blocks[(int)number] : null;
        }
    }

    /// <summary>The newest block, or null for an empty chain.</summary>
    public Block? Last()
    {
        lock (_gate)
        {
            return _blocks.Count == 0 ? null : _blocks[^1];
        }
    }

    /// <summary>
    /// Writes <paramref name="block"/> (whose number must be <see cref="Height"/>) to the file, then makes it visible.
    /// On failure nothing becomes visible and the file is cut back to its last whole record, so the same block can
    /// simply be appended again later.
    /// </summary>
    /// <exception cref="IOException">The block could not be written (disk full, I/O error, permission); the message names the file and block.</exception>
    public void Append(Block block)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (block.Header.Number != (ulong)_blocks.Count)
            {
                throw new InvalidOperationException($"block {block.Header.Number} appended at height {_blocks.Count}");
            }

            if (_file is not null)
            {
                Write(block);
            }

            _blocks.Add(block);
            signal = _appended;
            _appended = NewSignal();
        }

        signal.TrySetResult();
    }

    /// <summary>Completes when the chain holds more than <paramref name="number"/> blocks (i.e. block <paramref name="number"/> exists).</summary>
    public async Task WaitForBlockAsync(ulong number, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (number < (ulong)_blocks.Count)
                {
                    return;
                }

                signal = _appended.Task;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_file is null)
            {
                return;
            }

            try
            {
                RandomAccess.FlushToDisk(_file);
            }
            catch (IOException e)
            {
                _options!.Diagnostics.Report(DevNetDiagnosticKind.LedgerWriteFailed, _options.NodeName,
                    $"{_options.NodeName}: could not flush {Path} to disk at shutdown ({e.Message}); blocks already written stay in the file");
            }

            _file.Dispose();
        }
    }

    private void Write(Block block)
    {
        var number = block.Header.Number;
        var record = BlockFileFormat.Record(block.ToByteArray());
        try
        {
            if (_tailDirty)
            {
                // An earlier failed append may have left part of a record behind: cut it before writing again.
                RandomAccess.SetLength(_file!, _length);
                _tailDirty = false;
            }

            _tailDirty = true;
            if (_options!.Faults?.FailLedgerWrites == true)
            {
                RandomAccess.Write(_file!, record.AsSpan(0, record.Length / 2), _length);
                throw new IOException("No space left on device (injected by DevNet faults)", 28);
            }

            RandomAccess.Write(_file!, record, _length);
            if (_options.Durable)
            {
                RandomAccess.FlushToDisk(_file!);
            }

            _length += record.Length;
            _tailDirty = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                RandomAccess.SetLength(_file!, _length);
                _tailDirty = false;
            }
            catch (IOException)
            {
                // Tried again before the next write.
            }

            throw new IOException($"cannot write block {number} to {Path}: {e.Message}", e);
        }
    }

    /// <summary>Parses a format-1 file: the chain, and the length of its intact part (shorter than the file only for a torn tail).</summary>
    private static (List<Block> Blocks, long Length) Load(string path, byte[] bytes, BlockStoreOptions options)
    {
        var blocks = new List<Block>();
        if (bytes.Length == 0 || BlockFileFormat.IsTornHeader(bytes))
        {
            // New, or created by a process killed before its header was complete: an empty chain.
            return (blocks, 0);
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8));
        if (version != BlockFileFormat.Version)
        {
            throw new DevNetLedgerException(path, null, $"unknown ledger format version {version} (this fabinvoke reads version {BlockFileFormat.Version})");
        }

        long offset = BlockFileFormat.HeaderLength;
        while (offset < bytes.Length)
        {
            var number = (ulong)blocks.Count;
            var rest = bytes.AsSpan((int)offset);
            if (rest.IndexOfAnyExcept((byte)0) < 0 || rest.Length < BlockFileFormat.RecordHeaderLength)
            {
                // A file system can leave an unfinished append as zeros; a killed process leaves a short record.
                return CutTail(path, blocks, offset, rest.Length, options);
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(rest);
            if (Crc32C.Compute(rest[..4]) != BinaryPrimitives.ReadUInt32BigEndian(rest[4..]))
            {
                throw new DevNetLedgerException(path, number, $"the length prefix of its record (offset {offset}) is damaged: checksum mismatch");
            }

            if (length > BlockFileFormat.MaxPayload)
            {
                throw new DevNetLedgerException(path, number, $"its record (offset {offset}) claims {length} bytes, more than a block can have");
            }

            if (rest.Length < BlockFileFormat.RecordOverhead + (long)length)
            {
                return CutTail(path, blocks, offset, rest.Length, options);
            }

            var payload = rest.Slice(BlockFileFormat.RecordHeaderLength, (int)length);
            if (Crc32C.Compute(payload) != BinaryPrimitives.ReadUInt32BigEndian(rest[(BlockFileFormat.RecordHeaderLength + (int)length)..]))
            {
                throw new DevNetLedgerException(path, number, $"its record (offset {offset}, {length} bytes) is damaged: checksum mismatch");
            }

            blocks.Add(Verified(path, payload, blocks, options));
            offset += BlockFileFormat.RecordOverhead + length;
        }

        return (blocks, offset);
    }

    private static (List<Block>, long) CutTail(string path, List<Block> blocks, long offset, int bytes, BlockStoreOptions options)
    {
        var after = blocks.Count == 0 ? "before block 0" : $"after block {blocks.Count - 1}";
        options.Diagnostics.Report(DevNetDiagnosticKind.LedgerTailCut, options.NodeName,
            $"{options.NodeName}: cut a torn last record ({bytes} bytes at offset {offset}, {after}) from {path}; the ledger resumes at height {blocks.Count}");
        return (blocks, offset);
    }

    /// <summary>
    /// Parses one record's block and checks it is the next block of the chain: right number, data hash matching its
    /// data, previous hash matching the block before, and (peer) one validation flag per transaction.
    /// </summary>
    /// <exception cref="DevNetLedgerException">It is not.</exception>
    internal static Block Verified(string path, ReadOnlySpan<byte> payload, IReadOnlyList<Block> chain, BlockStoreOptions options)
    {
        var number = (ulong)chain.Count;
        Block block;
        try
        {
            block = Block.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new DevNetLedgerException(path, number, $"its record is not a block ({e.Message})");
        }

        if (block.Header is null || block.Data is null || block.Metadata is null)
        {
            throw new DevNetLedgerException(path, number, "its record has no header, data or metadata");
        }

        if (block.Header.Number != number)
        {
            throw new DevNetLedgerException(path, number, $"its record holds block {block.Header.Number}");
        }

        if (!block.Header.DataHash.Span.SequenceEqual(BlockHashes.DataHash(block.Data)))
        {
            throw new DevNetLedgerException(path, number, "its data hash does not match its transactions");
        }

        if (chain.Count > 0 && !block.Header.PreviousHash.Span.SequenceEqual(BlockHashes.HeaderHash(chain[^1].Header)))
        {
            throw new DevNetLedgerException(path, number, $"its previous-block hash does not match block {number - 1}");
        }

        if (options.HasValidationFlags)
        {
            var metadata = block.Metadata.Metadata;
            var flags = metadata.Count > (int)BlockMetadataIndex.TransactionsFilter ? metadata[(int)BlockMetadataIndex.TransactionsFilter].Length : 0;
            if (flags != block.Data.Data.Count)
            {
                throw new DevNetLedgerException(path, number, $"it has {flags} validation flag(s) for {block.Data.Data.Count} transaction(s)");
            }
        }

        return block;
    }

    private static byte[] ReadAll(SafeFileHandle file, string path)
    {
        var length = RandomAccess.GetLength(file);
        if (length > Array.MaxLength)
        {
            throw new DevNetLedgerException(path, null, $"the file is {length} bytes, larger than DevNet can load");
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

    private static void FlushIf(bool durable, SafeFileHandle file)
    {
        if (durable)
        {
            RandomAccess.FlushToDisk(file);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
