namespace FabricInvoke.DevNet;

/// <summary>
/// A node's ledger file is damaged somewhere other than a torn last record (checksum mismatch, damaged length
/// prefix or header, zeros where records were, a broken chain, an orderer's file that lost blocks its peers have, a
/// peer diverging from its orderer), so the network refuses to start on it. It is thrown before any ledger file is
/// changed or created.
/// </summary>
public sealed class DevNetLedgerException : IOException
{
    public DevNetLedgerException(string file, ulong? blockNumber, string problem)
        : this(file, blockNumber, null, problem)
    {
    }

    public DevNetLedgerException(string file, ulong? blockNumber, long? offset, string problem)
        : base($"{file}: {Location(blockNumber, offset)}{problem}")
    {
        File = file;
        BlockNumber = blockNumber;
        Offset = offset;
        Problem = problem;
    }

    public DevNetLedgerException()
        : this("blocks.bin", null, "damaged")
    {
    }

    public DevNetLedgerException(string message)
        : base(message)
    {
        File = "blocks.bin";
        Problem = message;
    }

    public DevNetLedgerException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "blocks.bin";
        Problem = message;
    }

    /// <summary>The damaged block file.</summary>
    public string File { get; }

    /// <summary>The block whose record is damaged or missing, when the damage belongs to one block.</summary>
    public ulong? BlockNumber { get; }

    /// <summary>Where in <see cref="File"/> the damage is: the start of the damaged record, or of the damaged header field.</summary>
    public long? Offset { get; }

    /// <summary>What is wrong, without the file name, block or offset.</summary>
    public string Problem { get; }

    /// <summary>"block 3, offset 1234: ", "offset 0: " or "".</summary>
    internal static string Location(ulong? block, long? offset) => (block, offset) switch
    {
        ({ } b, { } o) => $"block {b}, offset {o}: ",
        ({ } b, null) => $"block {b}: ",
        (null, { } o) => $"offset {o}: ",
        _ => "",
    };
}
