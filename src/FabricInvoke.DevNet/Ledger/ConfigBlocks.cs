using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>Where a chain's channel configuration is: the LAST_CONFIG index a block names, and the config a config block holds.</summary>
internal static class ConfigBlocks
{
    /// <summary>
    /// The last config block's number that <paramref name="block"/> names, as Fabric 2.x reads it: the SIGNATURES
    /// metadata's OrdererBlockMetadata, else the deprecated LAST_CONFIG entry; null when neither says.
    /// </summary>
    public static ulong? LastConfigIndex(Block block)
    {
        var metadata = block.Metadata?.Metadata;
        if (metadata is null)
        {
            return null;
        }

        try
        {
            if (metadata.Count > (int)BlockMetadataIndex.Signatures && !metadata[(int)BlockMetadataIndex.Signatures].IsEmpty)
            {
                var value = Metadata.Parser.ParseFrom(metadata[(int)BlockMetadataIndex.Signatures]).Value;
                if (!value.IsEmpty && OrdererBlockMetadata.Parser.ParseFrom(value).LastConfig is { } last)
                {
                    return last.Index;
                }
            }

            if (metadata.Count > (int)BlockMetadataIndex.LastConfig && !metadata[(int)BlockMetadataIndex.LastConfig].IsEmpty)
            {
                var value = Metadata.Parser.ParseFrom(metadata[(int)BlockMetadataIndex.LastConfig]).Value;
                return LastConfig.Parser.ParseFrom(value).Index;
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }

        return null;
    }

    /// <summary>The channel configuration a config block carries (its one CONFIG envelope's ConfigEnvelope.config), or null.</summary>
    public static Config? ConfigOf(Block block)
    {
        if (block.Data is null || block.Data.Data.Count != 1)
        {
            return null;
        }

        try
        {
            var payload = Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(block.Data.Data[0]).Payload);
            if (payload.Header is null || (HeaderType)ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader).Type != HeaderType.Config)
            {
                return null;
            }

            return ConfigEnvelope.Parser.ParseFrom(payload.Data).Config is { ChannelGroup: not null } config ? config : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>The last config block of a chain whose newest block is <paramref name="last"/>, read through <paramref name="get"/>.</summary>
    public static Block? LastConfigBlock(Block last, Func<ulong, Block?> get) =>
        LastConfigIndex(last) is { } index ? (index == last.Header.Number ? last : get(index)) : null;
}
