using System.Globalization;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Msp;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Orderer.EtcdRaft;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Orderer;

/// <summary>One organisation as the channel configuration names it: MSP id, CA roots (PEM file bytes), anchor peers.</summary>
internal sealed record ConfigOrg(string MspId, byte[] RootCertPem, byte[] TlsRootCertPem, IReadOnlyList<(string Host, int Port)> AnchorPeers);

/// <summary>What DevNet's channel configuration says: the members, the orderer endpoints and the orderer's batching.</summary>
internal sealed record ChannelConfigSpec(
    IReadOnlyList<ConfigOrg> ApplicationOrgs,
    ConfigOrg OrdererOrg,
    IReadOnlyList<string> OrdererEndpoints,
    string ConsenterHost,
    int ConsenterPort,
    byte[] ConsenterTlsCertPem,
    TimeSpan BatchTimeout,
    int BatchSize)
{
    /// <summary>
    /// Several orderers (a BFT-like network): consensus type BFT with these consenters (the Orderer group's
    /// <c>Orderers</c> value), and no channel-wide <c>OrdererAddresses</c>, as Fabric 3 BFT channels. Empty: etcdraft.
    /// </summary>
    public IReadOnlyList<(string Host, int Port)> BftConsenters { get; init; } = [];
}

/// <summary>
/// Builds a <c>common.Config</c> of the shape a Fabric v2.4 application channel has (what configtxgen makes from the
/// test network's configtx.yaml): Channel values, an Orderer group with one orderer org, an Application group with
/// every peer org, ImplicitMeta policies on the groups and Signature policies on the orgs, NodeOU-based MSPs.
/// </summary>
internal static class ChannelConfigBuilder
{
    public const string Admins = "Admins";

    /// <summary>Fabric's default absolute and preferred maximum block sizes (configtx.yaml: 99 MB, 512 KB).</summary>
    public const uint AbsoluteMaxBytes = 99 * 1024 * 1024;

    public const uint PreferredMaxBytes = 512 * 1024;

    private static readonly string[] ReaderResources =
    [
        "_lifecycle/QueryChaincodeDefinition:W", "_lifecycle/QueryChaincodeDefinitions:W", "_lifecycle/CheckCommitReadiness:W",
        "_lifecycle/CommitChaincodeDefinition:W", "lscc/ChaincodeExists:R", "lscc/GetDeploymentSpec:R", "lscc/GetChaincodeData:R",
        "lscc/GetInstantiatedChaincodes:R", "qscc/GetChainInfo:R", "qscc/GetBlockByNumber:R", "qscc/GetBlockByHash:R",
        "qscc/GetTransactionByID:R", "qscc/GetBlockByTxID:R", "cscc/GetConfigBlock:R", "cscc/GetChannelConfig:R",
        "peer/Propose:W", "peer/ChaincodeToChaincode:W", "event/Block:R", "event/FilteredBlock:R",
    ];

    public static Config Build(ChannelConfigSpec spec, ulong sequence = 0)
    {
        var channel = Group();
        channel.Values.Add("HashingAlgorithm", Value(new HashingAlgorithm { Name = "SHA256" }));
        channel.Values.Add("BlockDataHashingStructure", Value(new BlockDataHashingStructure { Width = uint.MaxValue }));
        if (spec.BftConsenters.Count == 0)
        {
            var addresses = new OrdererAddresses();
            addresses.Addresses.AddRange(spec.OrdererEndpoints);
            channel.Values.Add("OrdererAddresses", Value(addresses, "/Channel/Orderer/Admins"));
        }

        channel.Values.Add("Capabilities", Value(Capabilities(spec.BftConsenters.Count == 0 ? "V2_0" : "V3_0")));
        AddImplicitMeta(channel, ("Readers", "Readers", ImplicitMetaPolicy.Types.Rule.Any), ("Writers", "Writers", ImplicitMetaPolicy.Types.Rule.Any), (Admins, Admins, ImplicitMetaPolicy.Types.Rule.Majority));

        channel.Groups.Add("Orderer", OrdererGroup(spec));
        channel.Groups.Add("Application", ApplicationGroup(spec));
        return new Config { Sequence = sequence, ChannelGroup = channel };
    }

    /// <summary>A Go duration string as Go's time.Duration.String writes it ("100ms", "2s", "1m30s", "1h0m0s").</summary>
    public static string GoDuration(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = (ms % 60_000 / 1000m).ToString("0.###", CultureInfo.InvariantCulture) + "s";
        return hours > 0
            ? $"{hours}h{minutes}m{seconds}"
            : minutes > 0 ? $"{minutes}m{seconds}" : seconds;
    }

    private static ConfigGroup OrdererGroup(ChannelConfigSpec spec)
    {
        var orderer = Group();
        if (spec.BftConsenters.Count > 0)
        {
            // The consenters' SmartBFT options (ConsensusType metadata) are left out: DevNet does not run SmartBFT.
            var mapping = new Protos.Common.Orderers();
            mapping.ConsenterMapping.AddRange(spec.BftConsenters.Select((c, i) => new Protos.Common.Consenter
            {
                Id = (uint)(i + 1),
                Host = c.Host,
                Port = (uint)c.Port,
                MspId = spec.OrdererOrg.MspId,
                ClientTlsCert = ByteString.CopyFrom(spec.ConsenterTlsCertPem),
                ServerTlsCert = ByteString.CopyFrom(spec.ConsenterTlsCertPem),
            }));
            orderer.Values.Add("ConsensusType", Value(new ConsensusType { Type = "BFT" }));
            orderer.Values.Add("Orderers", Value(mapping));
        }
        else
        {
            AddRaft(orderer, spec);
        }

        AddBatching(orderer, spec);
        return orderer;
    }

    private static void AddRaft(ConfigGroup orderer, ChannelConfigSpec spec)
    {
        var raft = new ConfigMetadata
        {
            Options = new Options { TickInterval = "500ms", ElectionTick = 10, HeartbeatTick = 1, MaxInflightBlocks = 5, SnapshotIntervalSize = 16 * 1024 * 1024 },
        };
        raft.Consenters.Add(new FabricInvoke.Protos.Orderer.EtcdRaft.Consenter
        {
            Host = spec.ConsenterHost,
            Port = (uint)spec.ConsenterPort,
            ClientTlsCert = ByteString.CopyFrom(spec.ConsenterTlsCertPem),
            ServerTlsCert = ByteString.CopyFrom(spec.ConsenterTlsCertPem),
        });
        orderer.Values.Add("ConsensusType", Value(new ConsensusType { Type = "etcdraft", Metadata = raft.ToByteString() }));
    }

    private static void AddBatching(ConfigGroup orderer, ChannelConfigSpec spec)
    {
        orderer.Values.Add("BatchSize", Value(new BatchSize { MaxMessageCount = (uint)spec.BatchSize, AbsoluteMaxBytes = AbsoluteMaxBytes, PreferredMaxBytes = PreferredMaxBytes }));
        orderer.Values.Add("BatchTimeout", Value(new BatchTimeout { Timeout = GoDuration(spec.BatchTimeout) }));
        orderer.Values.Add("ChannelRestrictions", Value(new ChannelRestrictions()));
        orderer.Values.Add("Capabilities", Value(Capabilities("V2_0")));
        AddImplicitMeta(orderer, ("Readers", "Readers", ImplicitMetaPolicy.Types.Rule.Any), ("Writers", "Writers", ImplicitMetaPolicy.Types.Rule.Any), (Admins, Admins, ImplicitMetaPolicy.Types.Rule.Majority), ("BlockValidation", "Writers", ImplicitMetaPolicy.Types.Rule.Any));

        var org = OrgGroup(spec.OrdererOrg);
        var endpoints = new OrdererAddresses();
        endpoints.Addresses.AddRange(spec.OrdererEndpoints);
        org.Values.Add("Endpoints", Value(endpoints));
        org.Policies.Add("Readers", SignedBy(spec.OrdererOrg.MspId, MSPRole.Types.MSPRoleType.Member));
        org.Policies.Add("Writers", SignedBy(spec.OrdererOrg.MspId, MSPRole.Types.MSPRoleType.Member));
        org.Policies.Add(Admins, SignedBy(spec.OrdererOrg.MspId, MSPRole.Types.MSPRoleType.Admin));
        orderer.Groups.Add("OrdererOrg", org);
    }

    private static ConfigGroup ApplicationGroup(ChannelConfigSpec spec)
    {
        var application = Group();
        var acls = new ACLs();
        foreach (var entry in ReaderResources)
        {
            var (resource, kind) = (entry[..^2], entry[^1]);
            acls.Acls.Add(resource, new APIResource { PolicyRef = kind == 'R' ? "/Channel/Application/Readers" : "/Channel/Application/Writers" });
        }

        application.Values.Add("ACLs", Value(acls));
        application.Values.Add("Capabilities", Value(Capabilities("V2_0")));
        AddImplicitMeta(application,
            ("Readers", "Readers", ImplicitMetaPolicy.Types.Rule.Any), ("Writers", "Writers", ImplicitMetaPolicy.Types.Rule.Any),
            (Admins, Admins, ImplicitMetaPolicy.Types.Rule.Majority), ("Endorsement", "Endorsement", ImplicitMetaPolicy.Types.Rule.Majority),
            ("LifecycleEndorsement", "Endorsement", ImplicitMetaPolicy.Types.Rule.Majority));

        foreach (var member in spec.ApplicationOrgs)
        {
            var org = OrgGroup(member);
            if (member.AnchorPeers.Count > 0)
            {
                var anchors = new AnchorPeers();
                anchors.AnchorPeers_.AddRange(member.AnchorPeers.Select(a => new AnchorPeer { Host = a.Host, Port = a.Port }));
                org.Values.Add("AnchorPeers", Value(anchors));
            }

            org.Policies.Add("Readers", SignedBy(member.MspId, MSPRole.Types.MSPRoleType.Admin, MSPRole.Types.MSPRoleType.Peer, MSPRole.Types.MSPRoleType.Client));
            org.Policies.Add("Writers", SignedBy(member.MspId, MSPRole.Types.MSPRoleType.Admin, MSPRole.Types.MSPRoleType.Client));
            org.Policies.Add(Admins, SignedBy(member.MspId, MSPRole.Types.MSPRoleType.Admin));
            org.Policies.Add("Endorsement", SignedBy(member.MspId, MSPRole.Types.MSPRoleType.Peer));
            application.Groups.Add(member.MspId, org);
        }

        return application;
    }

    /// <summary>An org group with its MSP value: root and TLS root CAs, NodeOUs on (the CA as each OU's certificate), no admin certs.</summary>
    private static ConfigGroup OrgGroup(ConfigOrg org)
    {
        var ca = ByteString.CopyFrom(org.RootCertPem);
        var msp = new FabricMSPConfig
        {
            Name = org.MspId,
            CryptoConfig = new FabricCryptoConfig { SignatureHashFamily = "SHA2", IdentityIdentifierHashFunction = "SHA256" },
            FabricNodeOus = new FabricNodeOUs
            {
                Enable = true,
                ClientOuIdentifier = new FabricOUIdentifier { Certificate = ca, OrganizationalUnitIdentifier = "client" },
                PeerOuIdentifier = new FabricOUIdentifier { Certificate = ca, OrganizationalUnitIdentifier = "peer" },
                AdminOuIdentifier = new FabricOUIdentifier { Certificate = ca, OrganizationalUnitIdentifier = "admin" },
                OrdererOuIdentifier = new FabricOUIdentifier { Certificate = ca, OrganizationalUnitIdentifier = "orderer" },
            },
        };
        msp.RootCerts.Add(ca);
        msp.TlsRootCerts.Add(ByteString.CopyFrom(org.TlsRootCertPem));
        var group = Group();
        group.Values.Add("MSP", Value(new MSPConfig { Type = 0, Config = msp.ToByteString() }));
        return group;
    }

    private static ConfigGroup Group() => new() { ModPolicy = Admins };

    private static ConfigValue Value(IMessage value, string modPolicy = Admins) => new() { Value = value.ToByteString(), ModPolicy = modPolicy };

    private static Capabilities Capabilities(string name)
    {
        var capabilities = new Capabilities();
        capabilities.Capabilities_.Add(name, new Capability());
        return capabilities;
    }

    private static void AddImplicitMeta(ConfigGroup group, params (string Name, string SubPolicy, ImplicitMetaPolicy.Types.Rule Rule)[] policies)
    {
        foreach (var (name, subPolicy, rule) in policies)
        {
            var value = new ImplicitMetaPolicy { SubPolicy = subPolicy, Rule = rule }.ToByteString();
            group.Policies.Add(name, new ConfigPolicy { Policy = new Policy { Type = (int)Policy.Types.PolicyType.ImplicitMeta, Value = value }, ModPolicy = Admins });
        }
    }

    /// <summary>OR of the given roles of one MSP, as Fabric's policy DSL writes <c>OR('Org1MSP.admin', …)</c>: 1-out-of-n of SignedBy(i).</summary>
    private static ConfigPolicy SignedBy(string mspId, params MSPRole.Types.MSPRoleType[] roles)
    {
        var nOutOf = new SignaturePolicy.Types.NOutOf { N = 1 };
        var envelope = new SignaturePolicyEnvelope { Rule = new SignaturePolicy { NOutOf = nOutOf } };
        for (var i = 0; i < roles.Length; i++)
        {
            nOutOf.Rules.Add(new SignaturePolicy { SignedBy = i });
            envelope.Identities.Add(new MSPPrincipal
            {
                PrincipalClassification = MSPPrincipal.Types.Classification.Role,
                Principal = new MSPRole { MspIdentifier = mspId, Role = roles[i] }.ToByteString(),
            });
        }

        return new ConfigPolicy { Policy = new Policy { Type = (int)Policy.Types.PolicyType.Signature, Value = envelope.ToByteString() }, ModPolicy = Admins };
    }
}
