using FabricInvoke.Protos.Common;
using Google.Protobuf;

namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>
/// Channel configuration updates for the test tier (the kit has no configtxlator): what changed is computed here from
/// the fetched configuration, signed and submitted by the Go <c>peer</c> CLI as the organisations' admins.
/// Fabric's rules for a ConfigUpdate: the read set holds each element the change depends on at its current version; the
/// write set holds the same tree where a modified element is at its version + 1 with its mod_policy, and a modified
/// group lists every child it keeps (a child left out is deleted); an element at the same version in both sets is
/// unchanged and needs no signature. The modified element's mod_policy (relative to its group) must be satisfied by the
/// signatures on the ConfigUpdateEnvelope.
/// </summary>
public static class ChannelConfigUpdate
{
    /// <summary>
    /// The update that deletes the value <paramref name="valueName"/> from each group at <paramref name="groupPaths"/>
    /// (paths below the channel group, e.g. ["Application", "Org1MSP"]).
    /// </summary>
    public static ConfigUpdate RemoveValue(Config config, string channelId, string valueName, IReadOnlyList<string[]> groupPaths)
    {
        var channel = config.ChannelGroup;
        var read = new ConfigGroup { Version = channel.Version };
        var write = new ConfigGroup { Version = channel.Version };
        foreach (var path in groupPaths)
        {
            var (current, readParent, writeParent) = (channel, read, write);
            foreach (var name in path[..^1])
            {
                current = current.Groups[name];
                readParent = Child(readParent, name, current.Version);
                writeParent = Child(writeParent, name, current.Version);
            }

            var target = current.Groups[path[^1]];
            if (!target.Values.ContainsKey(valueName))
            {
                throw new InvalidOperationException($"{string.Join('/', path)} has no value {valueName} to remove");
            }

            readParent.Groups[path[^1]] = Versions(target);
            var modified = Versions(target);
            modified.Values.Remove(valueName);
            modified.Version = target.Version + 1;
            modified.ModPolicy = target.ModPolicy;
            writeParent.Groups[path[^1]] = modified;
        }

        return new ConfigUpdate { ChannelId = channelId, ReadSet = read, WriteSet = write };

        static ConfigGroup Child(ConfigGroup parent, string name, ulong version)
        {
            if (!parent.Groups.TryGetValue(name, out var child))
            {
                child = new ConfigGroup { Version = version };
                parent.Groups[name] = child;
            }

            return child;
        }
    }

    /// <summary>The envelope <c>peer channel signconfigtx</c> and <c>peer channel update -f</c> take: unsigned, HeaderType CONFIG_UPDATE.</summary>
    public static Envelope UnsignedEnvelope(ConfigUpdate update) => new()
    {
        Payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = new ChannelHeader { Type = (int)HeaderType.ConfigUpdate, ChannelId = update.ChannelId }.ToByteString(),
            },
            Data = new ConfigUpdateEnvelope { ConfigUpdate = update.ToByteString() }.ToByteString(),
        }.ToByteString(),
    };

    /// <summary>The channel configuration a config block carries.</summary>
    public static Config FromBlock(byte[] block)
    {
        var envelope = Envelope.Parser.ParseFrom(Block.Parser.ParseFrom(block).Data.Data[0]);
        return ConfigEnvelope.Parser.ParseFrom(Payload.Parser.ParseFrom(envelope.Payload).Data).Config;
    }

    /// <summary>The group with each child at its version only (what an unchanged child looks like in a read or write set).</summary>
    private static ConfigGroup Versions(ConfigGroup group)
    {
        var copy = new ConfigGroup { Version = group.Version };
        foreach (var (name, value) in group.Values)
        {
            copy.Values[name] = new ConfigValue { Version = value.Version };
        }

        foreach (var (name, policy) in group.Policies)
        {
            copy.Policies[name] = new ConfigPolicy { Version = policy.Version };
        }

        foreach (var (name, child) in group.Groups)
        {
            copy.Groups[name] = new ConfigGroup { Version = child.Version };
        }

        return copy;
    }
}

/// <summary>Channel configuration through the Go CLI: fetch it, and update it as the organisations' admins.</summary>
public abstract partial class RealNetwork
{
    /// <summary>The application organisations' group names (their MSP ids) in the channel configuration.</summary>
    public static IReadOnlyList<string> ApplicationOrgs { get; } = ["Org1MSP", "Org2MSP"];

    /// <summary>The channel's latest configuration: <c>peer channel fetch config</c> from the orderer, as Org1's User1.</summary>
    public async Task<Config> FetchConfig()
    {
        var file = Path.Combine(Dir, "data", $"config-{Guid.NewGuid():N}.block");
        var fetch = await PeerCli(["channel", "fetch", "config", file, "-c", ChannelId, "-o", OrdererAddress, "--tls", "--cafile", OrdererCa, .. OrdererClientFlags(1)]);
        Assert.True(fetch.ExitCode == 0, $"peer channel fetch config\n{fetch}");
        try
        {
            return ChannelConfigUpdate.FromBlock(await File.ReadAllBytesAsync(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Removes every application organisation's anchor peers from the channel configuration: one update, signed by
    /// Org1's Admin (<c>peer channel signconfigtx</c>) and signed and sent by Org2's Admin (<c>peer channel update</c>);
    /// each org group's mod_policy is its own Admins. Returns once a Put sent afterwards committed on both peers (so
    /// both have the new configuration), and asserts the fetched configuration has no anchor peer left.
    /// </summary>
    public async Task RemoveAnchorPeers()
    {
        var update = ChannelConfigUpdate.RemoveValue(await FetchConfig(), ChannelId, "AnchorPeers", [.. ApplicationOrgs.Select(o => new[] { "Application", o })]);
        var file = Path.Combine(Dir, "data", "remove-anchor-peers.tx");
        await File.WriteAllBytesAsync(file, ChannelConfigUpdate.UnsignedEnvelope(update).ToByteArray());

        var sign = await PeerCli(AdminOf(1), "channel", "signconfigtx", "-f", file);
        Assert.True(sign.ExitCode == 0, $"peer channel signconfigtx as Org1's Admin\n{sign}");
        var send = await PeerCli(AdminOf(2), ["channel", "update", "-f", file, "-c", ChannelId, "-o", OrdererAddress, "--tls", "--cafile", OrdererCa, .. OrdererClientFlags(2)]);
        Assert.True(send.ExitCode == 0, $"peer channel update as Org2's Admin\n{send}");

        var put = await PeerCli([.. InvokeArgs(ScenarioReadyCtor)]);
        Assert.True(put.ExitCode == 0, $"a Put after the configuration update\n{put}");
        var config = await FetchConfig();
        var left = ApplicationOrgs.Where(o => config.ChannelGroup.Groups["Application"].Groups[o].Values.ContainsKey("AnchorPeers")).ToList();
        Assert.True(left.Count == 0, $"anchor peers still configured for {string.Join(", ", left)} (configuration sequence {config.Sequence})");
    }

    /// <summary>The Go CLI's environment for an org's Admin against that org's peer.</summary>
    private Dictionary<string, string?> AdminOf(int org)
    {
        var env = new Dictionary<string, string?>
        {
            ["CORE_PEER_LOCALMSPID"] = $"Org{org}MSP",
            ["CORE_PEER_MSPCONFIGPATH"] = IdentityMsp(org, "Admin"),
            ["CORE_PEER_ADDRESS"] = PeerAddress(org),
            ["CORE_PEER_TLS_ROOTCERT_FILE"] = PeerCa(org),
        };
        if (MutualTls)
        {
            env["CORE_PEER_TLS_CLIENTCERT_FILE"] = Path.Combine(IdentityTls(org, "Admin"), "client.crt");
            env["CORE_PEER_TLS_CLIENTKEY_FILE"] = Path.Combine(IdentityTls(org, "Admin"), "client.key");
        }

        return env;
    }

    private string[] OrdererClientFlags(int org) => MutualTls
        ? ["--clientauth", "--certfile", Path.Combine(IdentityTls(org, "Admin"), "client.crt"), "--keyfile", Path.Combine(IdentityTls(org, "Admin"), "client.key")]
        : [];
}

/// <summary>
/// A network whose channel has no anchor peers: started as the others, then a configuration update removes both orgs'
/// anchor peers and the network restarts (<c>network.sh up</c>), so that no peer knows the other org's peer by gossip
/// (a Gateway then finds only its own org's peers). One update and one restart: about a minute more than a plain start.
/// </summary>
public abstract class NetworkWithoutAnchorPeers(string version, int portOffset) : RealNetwork(version, portOffset, mutualTls: false, variant: "no-anchor-peers")
{
    protected override async Task PrepareAsync()
    {
        await RemoveAnchorPeers();
        await RestartAll();
    }
}

/// <summary>Fabric 2.4.9 without anchor peers. Base port +400.</summary>
public sealed class Fabric249WithoutAnchorPeers() : NetworkWithoutAnchorPeers("2.4.9", 400);

/// <summary>Fabric 3.0.0 (four BFT orderers, Org2 Ed25519) without anchor peers. Base port +500.</summary>
public sealed class Fabric300WithoutAnchorPeers() : NetworkWithoutAnchorPeers("3.0.0", 500);

[CollectionDefinition("fabric-2.4.9-no-anchor-peers")]
public sealed class Fabric249WithoutAnchorPeersCollection : ICollectionFixture<Fabric249WithoutAnchorPeers>;

[CollectionDefinition("fabric-3.0.0-no-anchor-peers")]
public sealed class Fabric300WithoutAnchorPeersCollection : ICollectionFixture<Fabric300WithoutAnchorPeers>;
