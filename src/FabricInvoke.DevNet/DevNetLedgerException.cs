namespace FabricInvoke.DevNet;

/// <summary>
/// A node's ledger file is damaged somewhere other than a torn last record (checksum mismatch, damaged length
/// prefix, broken chain, a peer ahead of or diverging from its orderer), so the network refuses to start on it.
/// </summary>
public sealed class DevNetLedgerException : IOException
{
    public DevNetLedgerException(string file, ulong? blockNumber, string problem)
        : base(blockNumber is { } n ? $"{file}: block {n}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        BlockNumber = blockNumber;
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

    /// <summary>The block whose record is damaged, when the damage belongs to one block.</summary>
    public ulong? BlockNumber { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
