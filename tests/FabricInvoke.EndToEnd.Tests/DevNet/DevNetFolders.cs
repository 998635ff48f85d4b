using System.Buffers.Binary;
using System.Text.RegularExpressions;

namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>File-level helpers for DevNet folder tests: copies, block file records, damage.</summary>
internal static partial class DevNetFolders
{
    /// <summary>Copies a stopped DevNet folder (crypto material and ledger; not its lock or owner files).</summary>
    public static string Copy(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative is "devnet.lock" or "devnet.owner")
            {
                continue;
            }

            var to = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    /// <summary>The block file of <paramref name="node"/> ("orderer.example.com", "peer0.org1.example.com").</summary>
    public static string BlockFile(string devnet, string node) => Path.Combine(devnet, "ledger", "mychannel", node, "blocks.bin");

    /// <summary>(offset, payload length) of each record of a format-1 block file (16-byte header; length, check, payload, check).</summary>
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

    /// <summary>XORs one byte with <paramref name="mask"/> (one bit by default).</summary>
    public static void Flip(string path, long offset, byte mask = 0x01)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ mask));
    }

    /// <summary>Overwrites the file with zeros from <paramref name="offset"/> to its end, keeping its length.</summary>
    public static void ZeroFrom(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var zeros = new byte[file.Length - offset];
        file.Position = offset;
        file.Write(zeros);
    }

    public static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.SetLength(length);
    }

    /// <summary>Rewrites a block file in the pre-checksum format (no header; int32 BE length | block).</summary>
    public static void ToLegacyFormat(string path)
    {
        var bytes = File.ReadAllBytes(path);
        using var output = new MemoryStream();
        foreach (var (offset, length) in Records(path))
        {
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(prefix, length);
            output.Write(prefix);
            output.Write(bytes, (int)offset + 8, length);
        }

        File.WriteAllBytes(path, output.ToArray());
    }

    /// <summary>The pid `devnet up` prints in its "owner:" line.</summary>
    public static int OwnerPid(string upStdout) =>
        int.Parse(OwnerLine().Match(upStdout).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"owner:\s+process (\d+)")]
    private static partial Regex OwnerLine();
}
