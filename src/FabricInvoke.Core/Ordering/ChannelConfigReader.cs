using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using Google.Protobuf;

namespace FabricInvoke.Core.Ordering;

/// <summary>Reads the orderer endpoints and the consensus type out of a channel configuration (what cscc GetChannelConfig returns).</summary>
internal static class ChannelConfigReader
{
    /// <summary>
    /// Each orderer organisation's <c>Endpoints</c> (Fabric ≥ 2.x, organisations in name order), then the channel-wide
    /// <c>OrdererAddresses</c> (what the v2.4 peer CLI uses) not already listed. Duplicates dropped, order kept.
    /// </summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not a channel configuration.</exception>
    public static IReadOnlyList<string> OrdererEndpoints(ByteString configBytes) => Read(configBytes).Endpoints;

    /// <summary>The endpoints (as <see cref="OrdererEndpoints"/>) and how the channel orders.</summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not a channel configuration.</exception>
    public static (IReadOnlyList<string> Endpoints, ChannelOrdering Ordering) Read(ByteString configBytes)
    {
        var config = Config.Parser.ParseFrom(configBytes);
        var root = config.ChannelGroup ?? new ConfigGroup();
        var endpoints = new List<string>();
        var consensusType = string.Empty;
        var consenters = 0;
        if (root.Groups.TryGetValue("Orderer", out var orderer))
        {
            foreach (var org in orderer.Groups.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                if (org.Value.Values.TryGetValue("Endpoints", out var value))
                {
                    endpoints.AddRange(OrdererAddresses.Parser.ParseFrom(value.Value).Addresses);
                }
            }

            if (orderer.Values.TryGetValue("ConsensusType", out var type))
            {
                consensusType = ConsensusType.Parser.ParseFrom(type.Value).Type;
            }

            if (orderer.Values.TryGetValue("Orderers", out var mapping))
            {
                consenters = Orderers.Parser.ParseFrom(mapping.Value).ConsenterMapping.Count;
            }
        }

        if (root.Values.TryGetValue("OrdererAddresses", out var global))
        {
            endpoints.AddRange(OrdererAddresses.Parser.ParseFrom(global.Value).Addresses);
        }

        var distinct = endpoints.Where(e => !string.IsNullOrWhiteSpace(e)).Distinct(StringComparer.Ordinal).ToList();
        return (distinct, new ChannelOrdering(consensusType, consenters));
    }
}
