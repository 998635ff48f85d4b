using System.Globalization;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;

namespace FabricInvoke.Core.Configuration;

/// <summary>
/// A Hyperledger Fabric common connection profile (YAML or JSON), as the Fabric SDKs read it: <c>peers.NAME</c> and
/// <c>orderers.NAME</c> (<c>url</c> grpcs:// or grpc://, <c>tlsCACerts.path</c> relative to the profile's folder or
/// inline <c>tlsCACerts.pem</c>, <c>grpcOptions.ssl-target-name-override</c> / <c>hostnameOverride</c>),
/// <c>organizations.ORG.mspid</c> / <c>.peers</c>, <c>client.organization</c>, and <c>channels.CH.peers.NAME</c> with
/// the roles <c>endorsingPeer</c>, <c>chaincodeQuery</c>, <c>eventSource</c> (each true when absent) and
/// <c>channels.CH.orderers</c>. Every other key is ignored. Every problem names the file and the key path.
/// </summary>
internal sealed class ConnectionProfile
{
    private readonly IReadOnlyList<ProfileNode> _peers;
    private readonly IReadOnlyList<ProfileNode> _orderers;
    private readonly IReadOnlyList<ProfileOrganization> _organizations;
    private readonly IReadOnlyDictionary<string, ProfileChannel> _channels;

    private ConnectionProfile(
        string file, string? clientOrganization, IReadOnlyList<ProfileNode> peers, IReadOnlyList<ProfileNode> orderers,
        IReadOnlyList<ProfileOrganization> organizations, IReadOnlyDictionary<string, ProfileChannel> channels)
    {
        File = file;
        ClientOrganization = clientOrganization;
        _peers = peers;
        _orderers = orderers;
        _organizations = organizations;
        _channels = channels;
    }

    /// <summary>The most peers a profile may list (a consortium of 100 organisations with two peers each fits).</summary>
    public const int MaxPeers = 256;

    /// <summary>The most orderers a profile may list.</summary>
    public const int MaxOrderers = 64;

    /// <summary>The profile's full path, named in every message.</summary>
    public string File { get; }

    /// <summary><c>client.organization</c>: the organisation the profile is written for, or null.</summary>
    public string? ClientOrganization { get; }

    /// <summary>The MSP id of <c>client.organization</c>, or null.</summary>
    public string? ClientMspId => _organizations.FirstOrDefault(o => o.Name == ClientOrganization)?.MspId;

    /// <summary>Reads and checks a profile.</summary>
    /// <exception cref="FabricInvokeException">Config, naming the file and the key path at fault.</exception>
    public static ConnectionProfile Load(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var full = Path.GetFullPath(file);
        var text = BoundedFile.ReadText(full, "connection profile", FileLimit.ConnectionProfile);
        return Parse(text, full);
    }

    /// <summary>Checks a profile's text; relative paths in it are resolved against <paramref name="file"/>'s folder.</summary>
    /// <exception cref="FabricInvokeException">Config, naming the file and the key path at fault.</exception>
    public static ConnectionProfile Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var reader = new Reader(file);
        var root = reader.Map(ProfileValue.Parse(text, file));
        var clientOrg = reader.OptionalMap(root, "client") is { } client ? reader.OptionalString(client, "organization") : null;
        var peers = reader.Nodes(root, "peers", MaxPeers);
        var orderers = reader.Nodes(root, "orderers", MaxOrderers);
        var organizations = new List<ProfileOrganization>();
        if (reader.OptionalMap(root, "organizations") is { } orgs)
        {
            foreach (var (name, value) in orgs.Entries)
            {
                var org = reader.Map(value);
                var orgPeers = reader.OptionalNames(org, "peers");
                foreach (var (peer, where) in orgPeers)
                {
                    if (!peers.Any(p => p.Name == peer))
                    {
                        throw reader.Fail(where, $"names peer '{peer}', which is not under peers");
                    }
                }

                organizations.Add(new ProfileOrganization(name, reader.RequiredString(org, "mspid"), orgPeers.Select(p => p.Name).ToList()));
            }
        }

        if (clientOrg is not null && organizations.All(o => o.Name != clientOrg))
        {
            throw reader.Fail(root["client"] is ProfileMap c ? c["organization"]! : root, $"names organisation '{clientOrg}', which is not under organizations");
        }

        var channels = new Dictionary<string, ProfileChannel>(StringComparer.Ordinal);
        if (reader.OptionalMap(root, "channels") is { } channelMap)
        {
            foreach (var (name, value) in channelMap.Entries)
            {
                channels[name] = reader.Channel(reader.Map(value), peers, orderers);
            }
        }

        return new ConnectionProfile(file, clientOrg, peers, orderers, organizations, channels);
    }

    /// <summary>
    /// The nodes a command on <paramref name="channelId"/> uses: the channel's peers by role (all of <c>peers</c>, every
    /// role, when the profile has no such channel), those of <paramref name="mspId"/>'s organisation first, and the
    /// channel's orderers (all of <c>orderers</c> when it names none). TLS roots are read here: a missing file is named
    /// with its key path.
    /// </summary>
    /// <param name="mspId">The user's MSP id (CORE_PEER_LOCALMSPID, else <see cref="ClientMspId"/>); null: file order.</param>
    /// <exception cref="FabricInvokeException">Config: a TLS root file cannot be read, or the channel lists no peer.</exception>
    public ProfileSelection Select(string channelId, string? mspId)
    {
        ArgumentNullException.ThrowIfNull(channelId);
        var reader = new Reader(File);
        IReadOnlyList<ProfileChannelPeer> members = _channels.TryGetValue(channelId, out var channel)
            ? channel.Peers
            : _peers.Select(p => new ProfileChannelPeer(p.Name, true, true, true)).ToList();
        var ordererNames = channel is { Orderers.Count: > 0 } ? channel.Orderers : _orderers.Select(o => o.Name).ToList();

        string? OrgOf(string peer) => _organizations.FirstOrDefault(o => o.Peers.Contains(peer, StringComparer.Ordinal))?.MspId;

        // Stable: the user's organisation first, the file's order otherwise.
        var ordered = members.OrderBy(m => mspId is not null && OrgOf(m.Name) == mspId ? 0 : 1).ToList();
        var endpoints = new Dictionary<string, NodeEndpoint>(StringComparer.Ordinal);
        NodeEndpoint Peer(string name) =>
            endpoints.TryGetValue(name, out var e) ? e : endpoints[name] = reader.Endpoint(_peers.First(p => p.Name == name)) with { MspId = OrgOf(name) };

        var selection = new ProfileSelection(
            ordered.Where(m => m.Endorsing).Select(m => Peer(m.Name)).ToList(),
            ordered.Where(m => m.ChaincodeQuery).Select(m => Peer(m.Name)).ToList(),
            ordered.Where(m => m.EventSource).Select(m => Peer(m.Name)).ToList(),
            ordererNames.Select(n => reader.Endpoint(_orderers.First(o => o.Name == n))).ToList());
        return selection;
    }

    /// <summary>Reads the tree with the profile's rules, wording every problem with the file and key path.</summary>
    private sealed class Reader(string file)
    {
        private readonly string _folder = Path.GetDirectoryName(file) ?? ".";

        public FabricInvokeException Fail(ProfileValue at, string problem) => Failures.ConnectionProfile(file, at.Where, problem);

        public ProfileMap Map(ProfileValue value) =>
            value as ProfileMap ?? throw Fail(value, $"expected a mapping of keys to values, found {value.Describe}");

        public ProfileMap? OptionalMap(ProfileMap map, string key) => map[key] switch
        {
            null or ProfileScalar { Text: null } => null,
            var v => Map(v),
        };

        public string? OptionalString(ProfileMap map, string key) => map[key] switch
        {
            null or ProfileScalar { Text: null } => null,
            ProfileScalar { Text: { } text } => text,
            var v => throw Fail(v, $"expected a single value, found {v.Describe}"),
        };

        public string RequiredString(ProfileMap map, string key) =>
            OptionalString(map, key) is { Length: > 0 } text ? text : throw Failures.ConnectionProfile(file, Child(map, key), "missing");

        /// <summary>Names given as a list (the usual form) or as a mapping whose keys are the names (as channels.CH.peers is).</summary>
        public List<(string Name, ProfileValue Where)> OptionalNames(ProfileMap map, string key) => map[key] switch
        {
            null or ProfileScalar { Text: null } => [],
            ProfileList list => list.Items.Select(i => i is ProfileScalar { Text: { Length: > 0 } name } ? (name, i) : throw Fail(i, "expected a name")).ToList(),
            ProfileMap names => names.Entries.Select(e => (e.Key, e.Value)).ToList(),
            var v => throw Fail(v, $"expected a list of names, found {v.Describe}"),
        };

        public bool Role(ProfileMap map, string key) => map[key] switch
        {
            null or ProfileScalar { Text: null } => true,
            ProfileScalar { Text: { } text } when bool.TryParse(text, out var b) => b,
            var v => throw Fail(v, "expected true or false"),
        };

        /// <summary>
        /// The nodes under <paramref name="key"/>, at most <paramref name="limit"/> of them, each at its own address:
        /// the same node listed twice would be asked twice (and counted twice towards an endorsement policy).
        /// </summary>
        public List<ProfileNode> Nodes(ProfileMap root, string key, int limit)
        {
            var nodes = new List<ProfileNode>();
            if (OptionalMap(root, key) is not { } map)
            {
                return nodes;
            }

            if (map.Entries.Count > limit)
            {
                throw Fail(map, $"lists {map.Entries.Count.ToString(CultureInfo.InvariantCulture)} {key}; at most {limit.ToString(CultureInfo.InvariantCulture)} are supported");
            }

            var byAddress = new Dictionary<string, ProfileNode>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in map.Entries)
            {
                var node = Node(name, Map(value));
                if (byAddress.TryGetValue(node.Address.ToString(), out var first))
                {
                    throw Fail(node.UrlAt, $"{node.Address} is also the address of {first.UrlAt.Where}: list each node once");
                }

                byAddress[node.Address.ToString()] = node;
                nodes.Add(node);
            }

            return nodes;
        }

        private ProfileNode Node(string name, ProfileMap node)
        {
            var urlValue = node["url"];
            var url = RequiredString(node, "url");
            bool tls;
            string rest;
            if (url.StartsWith("grpcs://", StringComparison.OrdinalIgnoreCase))
            {
                (tls, rest) = (true, url["grpcs://".Length..]);
            }
            else if (url.StartsWith("grpc://", StringComparison.OrdinalIgnoreCase))
            {
                (tls, rest) = (false, url["grpc://".Length..]);
            }
            else
            {
                throw Fail(urlValue!, $"'{url}' is not a grpcs:// or grpc:// URL");
            }

            Endpoint address;
            try
            {
                address = Configuration.Endpoint.Parse(rest.TrimEnd('/'), "node");
            }
            catch (FabricInvokeException)
            {
                throw Fail(urlValue!, $"'{url}' is not a grpcs://host:port or grpc://host:port URL");
            }

            string? caPath = null;
            string? caPem = null;
            ProfileValue? caAt = null;
            if (OptionalMap(node, "tlsCACerts") is { } ca)
            {
                caPath = OptionalString(ca, "path");
                caPem = OptionalString(ca, "pem");
                caAt = caPath is not null ? ca["path"] : ca["pem"];
                if (caPath is not null && caPem is not null)
                {
                    throw Fail(ca, "give either path or pem, not both");
                }

                if (caPath is not null)
                {
                    try
                    {
                        caPath = Path.GetFullPath(caPath, _folder);
                    }
                    catch (ArgumentException e)
                    {
                        throw Fail(caAt!, $"'{caPath}' is not a usable path ({e.Message})");
                    }
                }
            }

            if (tls && caPath is null && caPem is null)
            {
                throw Failures.ConnectionProfile(file, Child(node, "tlsCACerts"), $"missing: {url} uses TLS, so the node's TLS CA certificate is needed (path or pem)");
            }

            string? hostOverride = null;
            if (OptionalMap(node, "grpcOptions") is { } grpc)
            {
                hostOverride = OptionalString(grpc, "ssl-target-name-override") ?? OptionalString(grpc, "hostnameOverride");
            }

            if (hostOverride is not null && !Configuration.Endpoint.IsHostName(hostOverride))
            {
                throw Fail(node["grpcOptions"] is ProfileMap g ? (g["ssl-target-name-override"] ?? g["hostnameOverride"])! : node, $"'{Failures.Shorten(hostOverride)}' is not a host name");
            }

            return new ProfileNode(name, node.Path, urlValue!, address, tls, caPath, caPem, caAt, hostOverride);
        }

        public ProfileChannel Channel(ProfileMap channel, IReadOnlyList<ProfileNode> peers, IReadOnlyList<ProfileNode> orderers)
        {
            var members = new List<ProfileChannelPeer>();
            switch (channel["peers"])
            {
                case ProfileMap map:
                    foreach (var (name, value) in map.Entries)
                    {
                        if (!peers.Any(p => p.Name == name))
                        {
                            throw Fail(value, $"names peer '{name}', which is not under peers");
                        }

                        // "peer0: {}" and "peer0:" (no roles) both mean every role.
                        var roles = value is ProfileScalar { Text: null } ? new ProfileMap(value.Path, value.Line, []) : Map(value);
                        members.Add(new ProfileChannelPeer(name, Role(roles, "endorsingPeer"), Role(roles, "chaincodeQuery"), Role(roles, "eventSource")));
                    }

                    break;
                case ProfileList:
                    foreach (var (name, where) in OptionalNames(channel, "peers"))
                    {
                        if (!peers.Any(p => p.Name == name))
                        {
                            throw Fail(where, $"names peer '{name}', which is not under peers");
                        }

                        members.Add(new ProfileChannelPeer(name, true, true, true));
                    }

                    break;
                case null or ProfileScalar { Text: null }:
                    break;
                case var v:
                    throw Fail(v, $"expected a mapping of peer names to roles, found {v.Describe}");
            }

            var ordererNames = new List<string>();
            foreach (var (name, where) in OptionalNames(channel, "orderers"))
            {
                if (!orderers.Any(o => o.Name == name))
                {
                    throw Fail(where, $"names orderer '{name}', which is not under orderers");
                }

                ordererNames.Add(name);
            }

            return new ProfileChannel(members, ordererNames);
        }

        /// <summary>The node as a connection endpoint; its TLS root read now, so a missing file is named by its key path.</summary>
        public NodeEndpoint Endpoint(ProfileNode node)
        {
            if (!node.Tls)
            {
                return new NodeEndpoint(node.Address, null, node.HostOverride);
            }

            if (node.TlsCaPath is { } path)
            {
                try
                {
                    var pem = BoundedFile.ReadText(path, "TLS CA certificate file", FileLimit.Certificates);
                    return new NodeEndpoint(node.Address, path, node.HostOverride) { TlsRootPem = pem };
                }
                catch (FabricInvokeException e)
                {
                    throw Fail(node.TlsCaAt!, e.Message, e);
                }
            }

            // Inline PEM: messages name the key path where it was written.
            return new NodeEndpoint(node.Address, $"{file} ({node.TlsCaAt!.Path})", node.HostOverride) { TlsRootPem = node.TlsCaPem };
        }

        private FabricInvokeException Fail(ProfileValue at, string problem, Exception inner) => Failures.ConnectionProfile(file, at.Where, problem, inner);

        private static string Child(ProfileMap map, string key) => map.Path == "(top level)" ? key : $"{map.Path}.{key}";
    }
}

/// <summary>What a command uses of a profile for one channel; peers in the order to use them (the user's organisation first).</summary>
/// <param name="EndorsingPeers">Role endorsingPeer: an invoke endorses on every one.</param>
/// <param name="QueryPeers">Role chaincodeQuery: a query asks the first (every one, with --queryAll).</param>
/// <param name="EventPeers">Role eventSource: an invoke waits on every one; an event stream reads from the first, failing over in order.</param>
/// <param name="Orderers">The channel's orderers, tried in order.</param>
internal sealed record ProfileSelection(
    IReadOnlyList<NodeEndpoint> EndorsingPeers,
    IReadOnlyList<NodeEndpoint> QueryPeers,
    IReadOnlyList<NodeEndpoint> EventPeers,
    IReadOnlyList<NodeEndpoint> Orderers);

/// <summary>One <c>peers.NAME</c> or <c>orderers.NAME</c> entry.</summary>
internal sealed record ProfileNode(
    string Name, string KeyPath, ProfileValue UrlAt, Endpoint Address, bool Tls, string? TlsCaPath, string? TlsCaPem, ProfileValue? TlsCaAt, string? HostOverride);

/// <summary>One <c>organizations.ORG</c> entry.</summary>
internal sealed record ProfileOrganization(string Name, string MspId, IReadOnlyList<string> Peers);

/// <summary>One <c>channels.CH</c> entry.</summary>
internal sealed record ProfileChannel(IReadOnlyList<ProfileChannelPeer> Peers, IReadOnlyList<string> Orderers);

/// <summary>A peer of a channel and its roles.</summary>
internal sealed record ProfileChannelPeer(string Name, bool Endorsing, bool ChaincodeQuery, bool EventSource);
