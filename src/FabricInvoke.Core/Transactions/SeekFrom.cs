using System.Globalization;
using FabricInvoke.Protos.Orderer;

namespace FabricInvoke.Core.Transactions;

/// <summary>Where a deliver stream starts: the newest block, the oldest (block 0), or a given block number.</summary>
internal sealed record SeekFrom
{
    private SeekFrom(SeekPosition.TypeOneofCase kind, ulong number)
    {
        Kind = kind;
        Number = number;
    }

    /// <summary>The channel's newest block at the time of the request (what the peer CLI's commit wait asks for).</summary>
    public static SeekFrom Newest { get; } = new(SeekPosition.TypeOneofCase.Newest, 0);

    /// <summary>The channel's first block.</summary>
    public static SeekFrom Oldest { get; } = new(SeekPosition.TypeOneofCase.Oldest, 0);

    internal SeekPosition.TypeOneofCase Kind { get; }

    /// <summary>The block number for <see cref="Block"/>; 0 otherwise.</summary>
    public ulong Number { get; }

    /// <summary>A given block number.</summary>
    public static SeekFrom Block(ulong number) => new(SeekPosition.TypeOneofCase.Specified, number);

    internal SeekPosition ToProto() => Kind switch
    {
        SeekPosition.TypeOneofCase.Newest => new SeekPosition { Newest = new SeekNewest() },
        SeekPosition.TypeOneofCase.Oldest => new SeekPosition { Oldest = new SeekOldest() },
        _ => new SeekPosition { Specified = new SeekSpecified { Number = Number } },
    };

    /// <summary><c>newest</c>, <c>oldest</c> or the block number.</summary>
    public override string ToString() => Kind switch
    {
        SeekPosition.TypeOneofCase.Newest => "newest",
        SeekPosition.TypeOneofCase.Oldest => "oldest",
        _ => Number.ToString(CultureInfo.InvariantCulture),
    };
}
