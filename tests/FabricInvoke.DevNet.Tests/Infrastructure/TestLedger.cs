using System.Buffers.Binary;
using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Tests.Infrastructure;

/// <summary>Valid block chains and raw access to block files, for ledger tests that need no network.</summary>
internal static class TestLedger
{
    /// <summary><paramref name="count"/> chained blocks of <paramref name="txPerBlock"/> opaque entries (of <paramref name="padding"/> extra bytes), each with one validation flag per entry.</summary>
    public static List<Block> Chain(int count, int txPerBlock = 2, int padding = 40)
    {
        var blocks = new List<Block>();
        for (var n = 0; n < count; n++)
        {
            var data = new BlockData();
            for (var t = 0; t < txPerBlock; t++)
            {
                data.Data.Add(ByteString.CopyFromUtf8($"block {n} tx {t} " + new string('x', padding)));
            }

            var header = new BlockHeader
            {
                Number = (ulong)n,
                PreviousHash = n == 0 ? ByteString.Empty : ByteString.CopyFrom(BlockHashes.HeaderHash(blocks[^1].Header)),
                DataHash = ByteString.CopyFrom(BlockHashes.DataHash(data)),
            };
            var metadata = new BlockMetadata();
            metadata.Metadata.Add(ByteString.CopyFromUtf8("signatures"));
            metadata.Metadata.Add(ByteString.Empty);
            metadata.Metadata.Add(ByteString.CopyFrom(new byte[txPerBlock]));
            metadata.Metadata.Add(ByteString.Empty);
            metadata.Metadata.Add(ByteString.Empty);
            blocks.Add(new Block { Header = header, Data = data, Metadata = metadata });
        }

        return blocks;
    }

    public static BlockStoreOptions Options(List<DevNetDiagnostic>? diagnostics = null, ILedgerFaults? faults = null, bool peer = true) =>
        new("peer0.org1.example.com", new DiagnosticSink(d => { lock (diagnostics ?? []) { diagnostics?.Add(d); } }), Faults: faults, HasValidationFlags: peer);

    /// <summary>Writes <paramref name="blocks"/> to a new file at <paramref name="path"/> through a BlockStore.</summary>
    public static void Write(string path, IEnumerable<Block> blocks)
    {
        using var store = BlockStore.Open(path, Options());
        foreach (var block in blocks)
        {
            store.Append(block);
        }
    }

    /// <summary>(offset, payload length) of every record in a format-1 file, read independently of BlockStore.</summary>
    public static List<(long Offset, int Length)> Records(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<(long, int)>();
        var offset = 16;
        while (offset + 8 <= bytes.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
            records.Add((offset, length));
            offset += 12 + length;
        }

        return records;
    }

    /// <summary>XORs the byte at <paramref name="offset"/> with 0x01.</summary>
    public static void Flip(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x01));
    }

    /// <summary>The same chain in the pre-checksum format (int32 BE length | block, no header).</summary>
    public static void WriteLegacy(string path, IEnumerable<Block> blocks)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        foreach (var block in blocks)
        {
            var bytes = block.ToByteArray();
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(prefix, bytes.Length);
            file.Write(prefix);
            file.Write(bytes);
        }
    }
}
