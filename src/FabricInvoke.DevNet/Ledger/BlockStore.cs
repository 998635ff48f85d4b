using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Storage;
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
/// before it becomes visible to readers, and the chain is reloaded and verified on the next start, read-only first
/// (<see cref="LedgerScan"/>): a torn final record is cut (and reported) only once every file was verified; any
/// other damage refuses the file with <see cref="DevNetLedgerException"/> and changes nothing.
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

    /// <summary>Verifies <paramref name="path"/> read-only, then opens it (see <see cref="Open(LedgerScan, BlockStoreOptions)"/>).</summary>
    /// <exception cref="DevNetLedgerException">The file is damaged other than by a torn final record, or has an unknown format; it was not changed.</exception>
    /// <exception cref="IOException">The file cannot be opened (another handle holds it), read or repaired.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static BlockStore Open(string path, BlockStoreOptions options) => Open(LedgerScan.Read(path, options), options);

    /// <summary>
    /// Step two of a start, once every file of the network passed <see cref="LedgerScan.Read"/> and the cross-check:
    /// creates a missing file (whole: header written to a temporary file, then renamed), converts a pre-checksum file,
    /// or cuts a torn final record (reported), then opens the file exclusively with the scanned chain.
    /// </summary>
    /// <exception cref="IOException">The file cannot be created, opened (another handle holds it), converted or cut, or it changed since it was scanned.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static BlockStore Open(LedgerScan scan, BlockStoreOptions options)
    {
        var path = scan.Path;
        long length;
        switch (scan.Kind)
        {
            case LedgerFileKind.Missing:
                AtomicFile.Write(path, BlockFileFormat.FileHeader(), durable: options.Durable);
                length = BlockFileFormat.HeaderLength;
                break;
            case LedgerFileKind.PreChecksum:
                length = LegacyBlockFile.Convert(scan, options);
                break;
            default:
                length = scan.IntactLength;
                break;
        }

        var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var found = RandomAccess.GetLength(file);
            var expected = scan.Kind == LedgerFileKind.Current ? scan.FileLength : length;
            if (found != expected)
            {
                throw new IOException($"{path} changed while DevNet was opening it ({found} bytes, {expected} when it was verified); start again");
            }

            if (scan.Kind == LedgerFileKind.Current && scan.IsTorn)
            {
                // A torn last write (a process killed mid-append) is cut off, like a ledger recovering to its last complete block.
                RandomAccess.SetLength(file, length);
                FlushIf(options.Durable, file);
                ReportCut(scan, options, converting: false);
            }

            return new BlockStore(path, file, options, [.. scan.Blocks], length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reports that the torn final record of <paramref name="scan"/> was cut (or left out of the converted file).</summary>
    internal static void ReportCut(LedgerScan scan, BlockStoreOptions options, bool converting)
    {
        var after = scan.Height == 0 ? "before block 0" : $"after block {scan.Height - 1}";
        options.Diagnostics.Report(DevNetDiagnosticKind.LedgerTailCut, options.NodeName,
            $"{options.NodeName}: cut a torn last record ({scan.FileLength - scan.IntactLength} bytes at offset {scan.IntactLength}, {after}) from {scan.Path}{(converting ? " while converting it" : "")}; the ledger resumes at height {scan.Height}");
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

    private static void FlushIf(bool durable, SafeFileHandle file)
    {
        if (durable)
        {
            RandomAccess.FlushToDisk(file);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
