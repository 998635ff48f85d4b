using FabricInvoke.Core.Ordering;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Msp;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>One application organisation of a channel: its MSP (roots, intermediates), anchor peers and policies.</summary>
/// <param name="MspId">The MSP id (the MSP value's name; the group's key when the value has none).</param>
/// <param name="RootCerts">The CA roots, as the configuration carries them (PEM).</param>
/// <param name="IntermediateCerts">The intermediate CAs (PEM).</param>
/// <param name="AnchorPeers">host:port of each anchor peer; empty when the organisation has none.</param>
/// <param name="Policies">The organisation group's policies by name (Readers, Writers, Admins, Endorsement).</param>
internal sealed record ChannelOrg(
    string MspId,
    IReadOnlyList<byte[]> RootCerts,
    IReadOnlyList<byte[]> IntermediateCerts,
    IReadOnlyList<string> AnchorPeers,
    IReadOnlyDictionary<string, Policy> Policies);

/// <summary>
/// What the doctor reads out of a channel configuration (a <c>common.Config</c>, what cscc GetChannelConfig returns):
/// the application organisations with their MSPs and anchor peers, the Application group's policies (for a chaincode
/// whose endorsement policy refers to one, e.g. <c>/Channel/Application/Endorsement</c>), the orderer endpoints and
/// the consensus type.
/// </summary>
internal sealed class ChannelConfigView
{
    private ChannelConfigView(
        IReadOnlyList<ChannelOrg> organizations, IReadOnlyDictionary<string, Policy> applicationPolicies, IReadOnlyList<string> ordererEndpoints, ChannelOrdering ordering)
    {
        Organizations = organizations;
        ApplicationPolicies = applicationPolicies;
        OrdererEndpoints = ordererEndpoints;
        Ordering = ordering;
    }

    /// <summary>The Application group's organisations, in MSP id order.</summary>
    public IReadOnlyList<ChannelOrg> Organizations { get; }

    /// <summary>The Application group's own policies by name (Readers, Writers, Admins, Endorsement, LifecycleEndorsement).</summary>
    public IReadOnlyDictionary<string, Policy> ApplicationPolicies { get; }

    /// <summary>The orderer endpoints (as <see cref="ChannelConfigReader.OrdererEndpoints"/>).</summary>
    public IReadOnlyList<string> OrdererEndpoints { get; }

    /// <summary>The consensus type and, for BFT, the cluster size.</summary>
    public ChannelOrdering Ordering { get; }

    /// <summary>The organisation with MSP id <paramref name="mspId"/>; null when it is not an application organisation of the channel.</summary>
    public ChannelOrg? Organization(string mspId) => Organizations.FirstOrDefault(o => string.Equals(o.MspId, mspId, StringComparison.Ordinal));

    /// <exception cref="InvalidProtocolBufferException">The bytes are not a channel configuration.</exception>
    public static ChannelConfigView Parse(ByteString configBytes)
    {
        var (endpoints, ordering) = ChannelConfigReader.Read(configBytes);
        var config = Config.Parser.ParseFrom(configBytes);
        var organizations = new List<ChannelOrg>();
        var policies = new Dictionary<string, Policy>(StringComparer.Ordinal);
        if (config.ChannelGroup is { } root && root.Groups.TryGetValue("Application", out var application))
        {
            foreach (var (name, policy) in application.Policies)
            {
                if (policy.Policy is { } p)
                {
                    policies[name] = p;
                }
            }

            foreach (var (key, group) in application.Groups.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                organizations.Add(Organization(key, group));
            }
        }

        organizations.Sort((a, b) => string.CompareOrdinal(a.MspId, b.MspId));
        return new ChannelConfigView(organizations, policies, endpoints, ordering);
    }

    private static ChannelOrg Organization(string key, ConfigGroup group)
    {
        var mspId = key;
        var roots = new List<byte[]>();
        var intermediates = new List<byte[]>();
        if (group.Values.TryGetValue("MSP", out var mspValue))
        {
            var msp = MSPConfig.Parser.ParseFrom(mspValue.Value);
            if (msp.Type == 0)
            {
                var fabric = FabricMSPConfig.Parser.ParseFrom(msp.Config);
                mspId = fabric.Name.Length > 0 ? fabric.Name : key;
                roots.AddRange(fabric.RootCerts.Select(c => c.ToByteArray()));
                intermediates.AddRange(fabric.IntermediateCerts.Select(c => c.ToByteArray()));
            }
        }

        var anchors = new List<string>();
        if (group.Values.TryGetValue("AnchorPeers", out var anchorValue))
        {
            anchors.AddRange(AnchorPeers.Parser.ParseFrom(anchorValue.Value).AnchorPeers_
                .Select(a => $"{a.Host}:{a.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        }

        var policies = group.Policies.Where(p => p.Value.Policy is not null).ToDictionary(p => p.Key, p => p.Value.Policy, StringComparer.Ordinal);
        return new ChannelOrg(mspId, roots, intermediates, anchors, policies);
    }
}
