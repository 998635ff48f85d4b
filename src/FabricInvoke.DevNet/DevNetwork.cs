using System.Text;
using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Orderer;
using FabricInvoke.DevNet.Peer;
using FabricInvoke.DevNet.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FabricInvoke.DevNet;

/// <summary>
/// A Fabric-compatible network in this process: one channel, N orgs × M peers and one orderer, each a TLS gRPC
/// server on 127.0.0.1, with cryptogen-style crypto material on disk. It is strict like a real Fabric v2.4 network
/// (signatures, txids, endorsement policy, MVCC, deliver access control) and lets tests inject faults.
/// For trying fabinvoke and for tests — not a Fabric replacement.
/// </summary>
public sealed class DevNetwork : IAsyncDisposable
{
    private readonly DevNetOptions _options;
    private readonly string _root;
    private readonly IReadOnlyList<OrgMaterial> _orgs;
    private readonly OrgMaterial _ordererOrg;
    private readonly NodeLifetime _lifetime;
    private readonly List<NodeHost> _hosts;
    private readonly Dictionary<(int Org, string User), DevIdentity> _users;
    private readonly Lock _gate = new();
    private DevIdentity? _foreign;
    private bool _disposed;

    private DevNetwork(
        DevNetOptions options,
        string root,
        IReadOnlyList<OrgMaterial> orgs,
        OrgMaterial ordererOrg,
        NodeLifetime lifetime,
        List<NodeHost> hosts,
        IReadOnlyList<DevPeer> peers,
        DevOrderer orderer,
        OrdererNode ordererNode,
        Dictionary<(int Org, string User), DevIdentity> users)
    {
        _options = options;
        _root = root;
        _orgs = orgs;
        _ordererOrg = ordererOrg;
        _lifetime = lifetime;
        _hosts = hosts;
        Peers = peers;
        Orderer = orderer;
        OrdererNode = ordererNode;
        _users = users;
    }

    /// <summary>The channel every peer has joined.</summary>
    public string ChannelId => _options.ChannelId;

    /// <summary>&lt;Directory&gt;/organizations, a cryptogen-style tree.</summary>
    public string OrganizationsDirectory => Path.Combine(_root, "organizations");

    /// <summary>All peers, org by org (peer0.org1, peer1.org1, …, peer0.org2, …).</summary>
    public IReadOnlyList<DevPeer> Peers { get; }

    public DevOrderer Orderer { get; }

    internal OrdererNode OrdererNode { get; }

    /// <summary>The options the network was started with.</summary>
    internal DevNetOptions Options => _options;

    /// <summary>Creates or reuses the crypto material and ledgers under <see cref="DevNetOptions.Directory"/> and starts every node.</summary>
    public static async Task<DevNetwork> StartAsync(DevNetOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ChannelId);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Orgs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PeersPerOrg, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.BatchTimeout, TimeSpan.Zero);

        var root = Path.GetFullPath(options.Directory);
        var organizations = Path.Combine(root, "organizations");

        // Key generation and disk I/O are synchronous; keep them off the caller's thread.
        var material = await Task.Run(() => CreateMaterial(options, organizations), cancellationToken).ConfigureAwait(false);
        var (orgs, ordererOrg, peerIdentities, ordererIdentity, users) = material;

        var members = orgs.Select(o => new ChannelMember(o.MspId, o.CaCertificate, o.TlsCaCertificate, IsApplicationOrg: true))
            .Append(new ChannelMember(ordererOrg.MspId, ordererOrg.CaCertificate, ordererOrg.TlsCaCertificate, IsApplicationOrg: false));
        var msp = new MspRegistry(members);
        // One chain per channel and node: a restart with another channel ID starts a fresh ledger.
        var ledger = Path.Combine(root, "ledger", options.ChannelId);

        var peerNodes = peerIdentities.Select(p => new PeerNode(
            options.ChannelId,
            p.Identity,
            p.Org.TlsCaCertPath,
            msp,
            new BlockStore(Path.Combine(ledger, p.Identity.Name, "blocks.bin")),
            new PeerFaults())).ToList();
        var ordererNode = new OrdererNode(
            options.ChannelId,
            ordererIdentity,
            ordererOrg.TlsCaCertPath,
            msp,
            new BlockStore(Path.Combine(ledger, ordererIdentity.Name, "blocks.bin")),
            new OrdererFaults(),
            peerNodes,
            options.BatchTimeout,
            options.BatchSize);

        var lifetime = new NodeLifetime();
        var hosts = new List<NodeHost>();
        Func<System.Security.Cryptography.X509Certificates.X509Certificate2, bool>? clientValidator =
            options.RequireClientTls ? msp.IsTrustedTlsClient : null;
        try
        {
            var peerHosts = peerNodes.Select((peer, i) => NodeHost.StartAsync(
                options.BasePort is { } basePort ? basePort + 1 + i : 0,
                peer.Identity.LoadTlsCertificate(),
                clientValidator,
                services =>
                {
                    services.AddSingleton(peer);
                    services.AddSingleton(lifetime);
                    services.AddSingleton(new ProposalProcessor(peer));
                    services.AddSingleton(new DeliverHandler(options.ChannelId, msp, peer.Blocks, id => id.Member.IsApplicationOrg, options.RequireClientTls, peer.Faults));
                },
                app =>
                {
                    app.MapGrpcService<EndorserService>();
                    app.MapGrpcService<PeerDeliverService>();
                },
                cancellationToken)).ToList();
            var ordererHost = NodeHost.StartAsync(
                options.BasePort ?? 0,
                ordererIdentity.LoadTlsCertificate(),
                clientValidator,
                services =>
                {
                    services.AddSingleton(ordererNode);
                    services.AddSingleton(lifetime);
                    services.AddSingleton(new DeliverHandler(options.ChannelId, msp, ordererNode.Blocks, _ => true, options.RequireClientTls, faults: null));
                },
                app => app.MapGrpcService<BroadcastService>(),
                cancellationToken);

            var starting = peerHosts.Append(ordererHost).ToList();
            try
            {
                hosts.AddRange(await Task.WhenAll(starting).ConfigureAwait(false));
            }
            catch (Exception)
            {
                // Stop the servers that did start, then report the failure.
                hosts.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
                throw;
            }
        }
        catch
        {
            lifetime.Stop();
            foreach (var host in hosts)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            await ordererNode.DisposeAsync().ConfigureAwait(false);
            foreach (var peer in peerNodes)
            {
                peer.Dispose();
            }

            lifetime.Dispose();
            throw;
        }

        var devPeers = peerNodes.Select((p, i) => new DevPeer(p, hosts[i].Address)).ToList();
        var devOrderer = new DevOrderer(ordererNode, hosts[^1].Address);
        ordererNode.Start();

        var network = new DevNetwork(options, root, orgs, ordererOrg, lifetime, hosts, devPeers, devOrderer, ordererNode, users);
        return network;
    }

    /// <summary>Switches every fault of every node off (tests that share a network call this between tests).</summary>
    public void ClearFaults()
    {
        foreach (var peer in Peers)
        {
            peer.Faults.Clear();
        }

        Orderer.Faults.Clear();
    }

    /// <summary>User1@org{N}.example.com (N is 1-based).</summary>
    public DevIdentity User(int org) => UserOf(org, "User1");

    /// <summary>Admin@org{N}.example.com (N is 1-based).</summary>
    public DevIdentity Admin(int org) => UserOf(org, "Admin");

    /// <summary>
    /// User1 of an organisation that is not a channel member (Org{Orgs+1}MSP, its own CA), under
    /// &lt;Directory&gt;/foreign. Peers refuse it (endorser: gRPC Unknown; deliver: FORBIDDEN; orderer: FORBIDDEN).
    /// </summary>
    public DevIdentity CreateForeignIdentity()
    {
        lock (_gate)
        {
            if (_foreign is not null)
            {
                return _foreign;
            }

            var n = _orgs.Count + 1;
            var domain = $"org{n}.example.com";
            using var org = OrgMaterial.LoadOrCreate(Path.Combine(_root, "foreign", "peerOrganizations", domain), domain, $"Org{n}MSP");
            using var user = org.EnsureIdentity(Path.Combine(org.Directory, "users", $"User1@{domain}"), $"User1@{domain}", "client", tlsServer: false);
            _foreign = user.ToDevIdentity();
            return _foreign;
        }
    }

    /// <summary>A client identity issued by org <paramref name="org"/>'s CA whose signing certificate has expired (under &lt;Directory&gt;/expired).</summary>
    public DevIdentity CreateExpiredIdentity(int org)
    {
        var material = OrgOf(org);
        var name = $"Expired@{material.Domain}";
        var now = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            using var user = material.EnsureIdentity(
                Path.Combine(_root, "expired", material.Domain, "users", name), name, "client", tlsServer: false, now.AddDays(-2), now.AddDays(-1));
            return user.ToDevIdentity();
        }
    }

    /// <summary>Stops every node promptly (open deliver streams included) and flushes the ledgers.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        // Streams end first (they watch the lifetime), then the servers, then block cutting, then the ledgers.
        _lifetime.Stop();
        await Task.WhenAll(_hosts.Select(h => h.DisposeAsync().AsTask())).ConfigureAwait(false);
        await OrdererNode.DisposeAsync().ConfigureAwait(false);
        foreach (var peer in Peers)
        {
            peer.Node.Dispose();
        }

        foreach (var org in _orgs.Append(_ordererOrg))
        {
            org.Dispose();
        }

        _lifetime.Dispose();
    }

    private DevIdentity UserOf(int org, string user)
    {
        OrgOf(org);
        return _users[(org, user)];
    }

    private OrgMaterial OrgOf(int org)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(org, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(org, _orgs.Count);
        return _orgs[org - 1];
    }

    private static (List<OrgMaterial> Orgs, OrgMaterial OrdererOrg, List<(OrgMaterial Org, NodeMaterial Identity)> Peers, NodeMaterial Orderer, Dictionary<(int, string), DevIdentity> Users)
        CreateMaterial(DevNetOptions options, string organizations)
    {
        var orgs = new List<OrgMaterial>();
        var peers = new List<(OrgMaterial, NodeMaterial)>();
        var users = new Dictionary<(int, string), DevIdentity>();
        for (var n = 1; n <= options.Orgs; n++)
        {
            var domain = $"org{n}.example.com";
            var org = OrgMaterial.LoadOrCreate(Path.Combine(organizations, "peerOrganizations", domain), domain, $"Org{n}MSP");
            orgs.Add(org);
            for (var i = 0; i < options.PeersPerOrg; i++)
            {
                var name = $"peer{i}.{domain}";
                peers.Add((org, org.EnsureIdentity(Path.Combine(org.Directory, "peers", name), name, "peer", tlsServer: true)));
            }

            foreach (var (user, ou) in new[] { ("Admin", "admin"), ("User1", "client") })
            {
                var name = $"{user}@{domain}";
                using var identity = org.EnsureIdentity(Path.Combine(org.Directory, "users", name), name, ou, tlsServer: false);
                users[(n, user)] = identity.ToDevIdentity();
            }
        }

        var ordererOrg = OrgMaterial.LoadOrCreate(Path.Combine(organizations, "ordererOrganizations", "example.com"), "example.com", "OrdererMSP");
        var orderer = ordererOrg.EnsureIdentity(Path.Combine(ordererOrg.Directory, "orderers", "orderer.example.com"), "orderer.example.com", "orderer", tlsServer: true);
        using (ordererOrg.EnsureIdentity(Path.Combine(ordererOrg.Directory, "users", "Admin@example.com"), "Admin@example.com", "admin", tlsServer: false))
        {
        }

        return (orgs, ordererOrg, peers, orderer, users);
    }

    /// <summary>
    /// Writes &lt;Directory&gt;/devnet.env: the exports a user needs to point fabinvoke (or the peer CLI) at this
    /// running network as Org1 User1, plus FABINVOKE_PEERS (every peer's --peerAddresses/--tlsRootCertFiles).
    /// Ports change with every start, so only a long-running network (devnet up) writes it.
    /// </summary>
    /// <returns>The file's path.</returns>
    public string WriteEnvironmentFile()
    {
        var user = User(1);
        var peer = Peers[0];
        var text = new StringBuilder()
            .Append("# fabinvoke DevNet — source this file to act as User1 of Org1.\n")
            .Append("export CORE_PEER_LOCALMSPID=").Append(user.MspId).Append('\n')
            .Append("export CORE_PEER_MSPCONFIGPATH=").Append(user.MspDirectory).Append('\n')
            .Append("export CORE_PEER_TLS_ENABLED=true\n")
            .Append("export CORE_PEER_ADDRESS=").Append(peer.Address).Append('\n')
            .Append("export CORE_PEER_TLS_ROOTCERT_FILE=").Append(peer.TlsRootCertFile).Append('\n')
            .Append("export ORDERER_ADDRESS=").Append(Orderer.Address).Append('\n')
            .Append("export ORDERER_CA=").Append(Orderer.TlsRootCertFile).Append('\n');
        if (_options.RequireClientTls)
        {
            text.Append("export CORE_PEER_TLS_CLIENTAUTHREQUIRED=true\n")
                .Append("export CORE_PEER_TLS_CLIENTCERT_FILE=").Append(user.TlsCertFile).Append('\n')
                .Append("export CORE_PEER_TLS_CLIENTKEY_FILE=").Append(user.TlsKeyFile).Append('\n');
        }

        text.Append("export FABINVOKE_PEERS=\"")
            .Append(string.Join(' ', Peers.Select(p => $"--peerAddresses {p.Address} --tlsRootCertFiles {p.TlsRootCertFile}")))
            .Append("\"\n");
        var path = Path.Combine(_root, "devnet.env");
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
