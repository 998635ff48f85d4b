using System.Buffers.Binary;
using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>
/// A node's chain of blocks: appended in order, read by number, and awaited by deliver streams.
/// When given a file, every block is also appended to it (4-byte big-endian length + marshalled <c>common.Block</c>)
/// and the chain is reloaded from it on the next start.
/// </summary>
internal sealed class BlockStore : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Block> _blocks = [];
    private readonly FileStream? _file;
    private TaskCompletionSource _appended = NewSignal();

    /// <param name="path">The block file, or null for memory only.</param>
    public BlockStore(string? path)
    {
        if (path is null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        Span<byte> prefix = stackalloc byte[4];
        long goodLength = 0;
        while (true)
        {
            if (_file.Read(prefix) != 4)
            {
                break;
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
            var bytes = new byte[length];
            if (length < 0 || _file.ReadAtLeast(bytes, length, throwOnEndOfStream: false) != length)
            {
                break;
            }

            Block block;
            try
            {
                block = Block.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                break;
            }

            if (!Follows(block))
            {
                break;
            }

            _blocks.Add(block);

            goodLength = _file.Position;
        }

        // A torn last write (crash mid-append) is cut off, like a ledger recovering to its last complete block.
        _file.SetLength(goodLength);
        _file.Position = goodLength;
    }

    /// <summary>
    /// A record is kept only if it is the next block of an intact chain: right number, data hash matching its data,
    /// previous hash matching the block before. Anything else (a torn or damaged tail) ends the chain there.
    /// </summary>
    private bool Follows(Block block)
    {
        if (block.Header is null || block.Data is null || block.Header.Number != (ulong)_blocks.Count
            || !block.Header.DataHash.Span.SequenceEqual(BlockHashes.DataHash(block.Data)))
        {
            return false;
        }

        return _blocks.Count == 0 || block.Header.PreviousHash.Span.SequenceEqual(BlockHashes.HeaderHash(_blocks[^1].Header));
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

    /// <summary>Appends <paramref name="block"/>, whose number must be <see cref="Height"/>.</summary>
    public void Append(Block block)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (block.Header.Number != (ulong)_blocks.Count)
            {
                throw new InvalidOperationException($"block {block.Header.Number} appended at height {_blocks.Count}");
            }

            if (_file is not null)
            {
                var bytes = block.ToByteArray();
                Span<byte> prefix = stackalloc byte[4];
                BinaryPrimitives.WriteInt32BigEndian(prefix, bytes.Length);
                _file.Write(prefix);
                _file.Write(bytes);
                _file.Flush(flushToDisk: false);
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
            _file?.Flush(flushToDisk: true);
            _file?.Dispose();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
