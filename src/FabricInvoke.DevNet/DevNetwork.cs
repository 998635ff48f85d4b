using System.Diagnostics;
using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Gateway;
using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Orderer;
using FabricInvoke.DevNet.Peer;
using FabricInvoke.DevNet.Storage;
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
    /// <summary>Longest pause between two attempts to take a busy folder.</summary>
    private static readonly TimeSpan MaxLockPoll = TimeSpan.FromMilliseconds(250);

    private readonly DevNetOptions _options;
    private readonly string _root;
    private readonly DevNetFolderLock _folder;
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
        DevNetFolderLock folder,
        IReadOnlyList<OrgMaterial> orgs,
        OrgMaterial ordererOrg,
        NodeLifetime lifetime,
        List<NodeHost> hosts,
        IReadOnlyList<DevPeer> peers,
        IReadOnlyList<DevOrderer> orderers,
        DevOrdererNode ordererNode,
        Dictionary<(int Org, string User), DevIdentity> users)
    {
        _options = options;
        _root = root;
        _folder = folder;
        _orgs = orgs;
        _ordererOrg = ordererOrg;
        _lifetime = lifetime;
        _hosts = hosts;
        Peers = peers;
        Orderers = orderers;
        OrdererNode = ordererNode;
        _users = users;
    }

    /// <summary>The channel every peer has joined.</summary>
    public string ChannelId => _options.ChannelId;

    /// <summary>The DevNet folder (full path), owned by this network while it runs.</summary>
    public string Directory => _root;

    /// <summary>&lt;Directory&gt;/organizations, a cryptogen-style tree.</summary>
    public string OrganizationsDirectory => Path.Combine(_root, "organizations");

    /// <summary>All peers, org by org (peer0.org1, peer1.org1, …, peer0.org2, …).</summary>
    public IReadOnlyList<DevPeer> Peers { get; }

    /// <summary>The (first) orderer.</summary>
    public DevOrderer Orderer => Orderers[0];

    /// <summary>Every orderer, in the order the channel configuration lists them (one unless <see cref="DevNetOptions.Orderers"/> says more).</summary>
    public IReadOnlyList<DevOrderer> Orderers { get; }

    /// <summary>This process as the folder's recorded owner.</summary>
    public DevNetOwner Owner => _folder.Owner;

    /// <summary>&lt;Directory&gt;/devnet.env when <see cref="DevNetOptions.Attachable"/>, else null.</summary>
    public string? EnvironmentFile { get; private set; }

    /// <summary>&lt;Directory&gt;/connection-profile.yaml (the network as a Fabric connection profile) when <see cref="DevNetOptions.Attachable"/>, else null.</summary>
    public string? ConnectionProfileFile { get; private set; }

    /// <summary>&lt;Directory&gt;/devnet.json when <see cref="DevNetOptions.Attachable"/>, else null.</summary>
    public string? SummaryFile { get; private set; }

    internal DevOrdererNode OrdererNode { get; }

    /// <summary>The options the network was started with.</summary>
    internal DevNetOptions Options => _options;

    /// <summary>
    /// Takes ownership of <see cref="DevNetOptions.Directory"/> (waiting up to <see cref="DevNetOptions.LockWait"/> for a
    /// non-attachable owner), creates or loads and verifies its crypto material and ledgers, and starts every node.
    /// </summary>
    /// <exception cref="DevNetBusyException">Another process owns the folder.</exception>
    /// <exception cref="DevNetMaterialException">The crypto material on disk is incomplete or inconsistent.</exception>
    /// <exception cref="DevNetLedgerException">A ledger file is damaged, or a peer is ahead of its orderer.</exception>
    /// <exception cref="IOException">Files cannot be written, or a port cannot be bound.</exception>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public static async Task<DevNetwork> StartAsync(DevNetOptions options, CancellationToken cancellationToken = default)
    {
        Validate(options);
        var root = Path.GetFullPath(options.Directory);
        var diagnostics = new DiagnosticSink(options.Diagnostics);
        var folder = await AcquireAsync(root, options, diagnostics, cancellationToken).ConfigureAwait(false);
        try
        {
            return await StartOwnedAsync(options, root, folder, diagnostics, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <exception cref="ArgumentException">An option is out of range.</exception>
    internal static void Validate(DevNetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ChannelId);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Orgs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PeersPerOrg, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Orderers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Orderers, DevNetOptions.MaxOrderers);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchTimeout, DevNetOptions.MinBatchTimeout);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchTimeout, DevNetOptions.MaxBatchTimeout);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LockWait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.LockWait, DevNetOptions.MaxLockWait);
        ArgumentNullException.ThrowIfNull(options.ExtraOrdererAddresses);
        foreach (var address in options.ExtraOrdererAddresses)
        {
            var colon = address?.LastIndexOf(':') ?? -1;
            if (colon <= 0 || !ushort.TryParse(address.AsSpan(colon + 1), out var port) || port == 0)
            {
                throw new ArgumentException($"extra orderer address '{address}' is not host:port", nameof(options));
            }
        }
    }

    /// <summary>Takes the folder's lock, queueing behind a non-attachable owner for at most <see cref="DevNetOptions.LockWait"/>.</summary>
    private static async Task<DevNetFolderLock> AcquireAsync(string root, DevNetOptions options, DiagnosticSink diagnostics, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(20);
        var reported = false;
        while (true)
        {
            if (DevNetFolderLock.TryAcquire(root, options.OwnerDescription, options.Attachable) is { } folder)
            {
                return folder;
            }

            var owner = await CurrentOwnerAsync(root, cancellationToken).ConfigureAwait(false);
            var waited = Stopwatch.GetElapsedTime(started);
            if (owner is { Attachable: true } || waited >= options.LockWait)
            {
                // Waited is what the message reports: zero when this start did not queue at all.
                var queued = owner is { Attachable: true } || options.LockWait == TimeSpan.Zero ? TimeSpan.Zero : waited;
                throw new DevNetBusyException(Path.Combine(root, DevNetFolderLock.LockFileName), owner, queued);
            }

            if (!reported)
            {
                reported = true;
                diagnostics.Report(DevNetDiagnosticKind.WaitingForOwner, "devnet",
                    $"{root} is in use by {(owner is null ? "another process" : $"process {owner.ProcessId} ({owner.Description})")}; waiting up to {options.LockWait.TotalSeconds:0.###}s for it");
            }

            var left = options.LockWait - waited;
            await Task.Delay(delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < MaxLockPoll ? delay * 2 : MaxLockPoll;
        }
    }

    /// <summary>
    /// The owner record of a folder whose lock is held. Right after a crashed owner, the new owner may not have replaced
    /// the old record yet: a record naming a process that is gone is read again once, shortly after.
    /// </summary>
    internal static async Task<DevNetOwner?> CurrentOwnerAsync(string root, CancellationToken cancellationToken)
    {
        var owner = DevNetFolderLock.ReadOwner(root);
        if (owner is null || !DevNetFolderLock.IsRunning(owner.ProcessId))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            owner = DevNetFolderLock.ReadOwner(root);
        }

        return owner;
    }

    private static async Task<DevNetwork> StartOwnedAsync(DevNetOptions options, string root, DevNetFolderLock folder, DiagnosticSink diagnostics, CancellationToken cancellationToken)
    {
        // A previous attachable owner killed with SIGKILL leaves its devnet.json/devnet.env behind, pointing at dead ports.
        AtomicFile.TryDelete(Path.Combine(root, DevNetSummaryFile.FileName));
        AtomicFile.TryDelete(Path.Combine(root, DevNetEnvironmentFile.FileName));
        AtomicFile.TryDelete(Path.Combine(root, DevNetConnectionProfileFile.FileName));

        var organizations = Path.Combine(root, "organizations");

        // Key generation and disk I/O are synchronous; keep them off the caller's thread.
        var tree = await Task.Run(() => CryptoTree.Prepare(organizations, options.Orgs, options.PeersPerOrg), cancellationToken).ConfigureAwait(false);
        var orgs = tree.Orgs;
        var ordererOrg = tree.OrdererOrg;
        var ordererIdentity = tree.Orderer;

        var members = orgs.Select(o => new ChannelMember(o.MspId, o.CaCertificate, o.TlsCaCertificate, IsApplicationOrg: true))
            .Append(new ChannelMember(ordererOrg.MspId, ordererOrg.CaCertificate, ordererOrg.TlsCaCertificate, IsApplicationOrg: false));
        var msp = new MspRegistry(members);

        // One chain per channel and node: a restart with another channel ID starts a fresh ledger.
        var ledger = Path.Combine(root, "ledger", options.ChannelId);
        var peerNodes = new List<DevPeerNode>();
        DevOrdererNode? ordererNode = null;
        var lifetime = new NodeLifetime();
        var hosts = new List<NodeHost>();
        TransactionTimings? timings = null;
        try
        {
            timings = options.TimingsFile is { } timingsFile ? TransactionTimings.Open(timingsFile) : null;
            var ordererFaults = new OrdererFaults();
            var peerFaults = tree.Peers.Select(_ => new PeerFaults()).ToList();

            // Every file verified read-only, and the peers checked against the orderer, before any file is changed.
            var (ordererBlocks, peerBlocks) = await Task.Run(
                () => NetworkLedger.Open(
                    (Path.Combine(ledger, ordererIdentity.Name, "blocks.bin"), new BlockStoreOptions(ordererIdentity.Name, diagnostics, options.Durable, ordererFaults)),
                    [.. tree.Peers.Select((p, i) => (
                        Path.Combine(ledger, p.Identity.Name, "blocks.bin"),
                        new BlockStoreOptions(p.Identity.Name, diagnostics, options.Durable, peerFaults[i], HasValidationFlags: true)))]),
                cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var (org, identity) in tree.Peers)
                {
                    var i = peerNodes.Count;
                    peerNodes.Add(new DevPeerNode(options.ChannelId, identity, org.TlsCaCertPath, msp, peerBlocks[i], peerFaults[i], diagnostics) { Timings = timings });
                }

                ordererNode = new DevOrdererNode(
                    options.ChannelId, ordererIdentity, ordererOrg.TlsCaCertPath, msp, ordererBlocks, ordererFaults, peerNodes,
                    options.BatchTimeout, options.BatchSize, diagnostics)
                {
                    Timings = timings,
                    Deduplicate = options.Orderers > 1,
                };
            }
            catch
            {
                ordererBlocks.Dispose();
                foreach (var blocks in peerBlocks.Skip(peerNodes.Count))
                {
                    blocks.Dispose();
                }

                throw;
            }

            var gateway = new GatewayDirectory(peerNodes, ordererNode, msp);
            Func<System.Security.Cryptography.X509Certificates.X509Certificate2, bool>? clientValidator =
                options.RequireClientTls ? msp.IsTrustedTlsClient : null;
            var peerHosts = peerNodes.Select((peer, i) => NodeHost.StartAsync(
                options.BasePort is { } basePort ? basePort + 1 + i : 0,
                peer.Identity.LoadTlsCertificate(),
                clientValidator,
                services =>
                {
                    services.AddSingleton(peer);
                    services.AddSingleton(lifetime);
                    services.AddSingleton(new ProposalProcessor(peer));
                    services.AddSingleton(new DeliverHandler(
                        options.ChannelId, msp, peer.Blocks, id => id.Member.IsApplicationOrg, options.RequireClientTls, peer.Faults, timings, peer.Name));
                    services.AddSingleton(gateway);
                    services.AddSingleton(_ => new GatewayConnections(peer, msp));
                    services.AddSingleton(new CommitIndex(peer.Blocks));
                },
                app =>
                {
                    app.MapGrpcService<EndorserService>();
                    app.MapGrpcService<PeerDeliverService>();
                    app.MapGrpcService<GatewayService>();
                },
                cancellationToken)).ToList();
            var orderer = ordererNode;

            // Several orderers (BFT-like): each its own server and faults (the first shares the node's, ledger faults included), one block cutter.
            List<OrdererFrontend> frontends = options.Orderers == 1
                ? [new OrdererFrontend(orderer.Name, orderer.Faults)]
                : Enumerable.Range(1, options.Orderers)
                    .Select(k => new OrdererFrontend(orderer.Name.Replace("orderer.", $"orderer{k}.", StringComparison.Ordinal), k == 1 ? orderer.Faults : new OrdererFaults()))
                    .ToList();
            var ordererHosts = frontends.Select((frontend, k) => NodeHost.StartAsync(
                // A fixed base port is the first orderer's; further orderers take free ports.
                k == 0 ? options.BasePort ?? 0 : 0,
                ordererIdentity.LoadTlsCertificate(),
                clientValidator,
                services =>
                {
                    services.AddSingleton(orderer);
                    services.AddSingleton(frontend);
                    services.AddSingleton(lifetime);
                    services.AddSingleton(new DeliverHandler(options.ChannelId, msp, orderer.Blocks, _ => true, options.RequireClientTls, faults: null));
                },
                app => app.MapGrpcService<BroadcastService>(),
                cancellationToken)).ToList();

            var starting = peerHosts.Concat(ordererHosts).ToList();
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

            var devPeers = peerNodes.Select((p, i) => new DevPeer(p, hosts[i])).ToList();
            var devOrderers = frontends.Select((f, k) => new DevOrderer(ordererNode, hosts[peerNodes.Count + k], f)).ToList();
            gateway.Bind(devPeers.ToDictionary(p => p.Node, p => p.Address), devOrderers[0].Address);
            var config = ChannelConfig(options, tree, devPeers, devOrderers.Select(o => o.Address).ToList());
            await Task.Run(() => ordererNode.Start(config), cancellationToken).ConfigureAwait(false);

            var network = new DevNetwork(options, root, folder, orgs, ordererOrg, lifetime, hosts, devPeers, devOrderers, ordererNode, tree.Users);
            if (options.Attachable)
            {
                // devnet.json last: it is what tells another process the network is ready to attach to.
                var published = network.Published();
                network.EnvironmentFile = DevNetEnvironmentFile.Write(root, published);
                network.ConnectionProfileFile = DevNetConnectionProfileFile.Write(root, published);
                network.SummaryFile = DevNetSummaryFile.Write(root, published);
            }

            return network;
        }
        catch
        {
            timings?.Dispose();
            lifetime.Stop();
            foreach (var host in hosts)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            if (ordererNode is not null)
            {
                await ordererNode.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                ordererIdentity.Dispose();
            }

            foreach (var peer in peerNodes)
            {
                peer.Dispose();
            }

            foreach (var (_, identity) in tree.Peers.Skip(peerNodes.Count))
            {
                identity.Dispose();
            }

            tree.Dispose();
            lifetime.Dispose();
            AtomicFile.TryDelete(Path.Combine(root, DevNetSummaryFile.FileName));
            AtomicFile.TryDelete(Path.Combine(root, DevNetEnvironmentFile.FileName));
            AtomicFile.TryDelete(Path.Combine(root, DevNetConnectionProfileFile.FileName));
            throw;
        }
    }

    /// <summary>The channel configuration this network runs with: its orgs' CAs, the orderer (after any extra addresses), its batching.</summary>
    private static Protos.Common.Config ChannelConfig(DevNetOptions options, CryptoTree tree, IReadOnlyList<DevPeer> peers, IReadOnlyList<string> ordererAddresses)
    {
        static ConfigOrg Org(OrgMaterial org, IReadOnlyList<(string, int)> anchors) =>
            new(org.MspId, File.ReadAllBytes(org.CaCertPath), File.ReadAllBytes(org.TlsCaCertPath), anchors);

        static (string Host, int Port) Split(string address)
        {
            var colon = address.LastIndexOf(':');
            return (address[..colon], int.Parse(address.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture));
        }

        var applicationOrgs = tree.Orgs.Select(org => Org(org, peers.Where(p => p.MspId == org.MspId).Take(1).Select(p => Split(p.Address)).ToList())).ToList();
        var (host, port) = Split(ordererAddresses[0]);
        var spec = new ChannelConfigSpec(
            applicationOrgs,
            Org(tree.OrdererOrg, []),
            [.. options.ExtraOrdererAddresses, .. ordererAddresses],
            host,
            port,
            File.ReadAllBytes(tree.Orderer.TlsCertificateFile),
            options.BatchTimeout,
            options.BatchSize)
        {
            BftConsenters = ordererAddresses.Count > 1 ? ordererAddresses.Select(Split).ToList() : [],
        };
        return ChannelConfigBuilder.Build(spec);
    }

    /// <summary>What devnet.json and devnet.env say about this network.</summary>
    internal PublishedNetwork Published() => new(
        Owner.ProcessId,
        ChannelId,
        OrganizationsDirectory,
        _options.RequireClientTls,
        new DevNetEndpoint(OrdererNode.Name, _ordererOrg.MspId, Orderer.Address, Orderer.TlsRootCertFile),
        Peers.Select(p => new DevNetEndpoint(p.Name, p.MspId, p.Address, p.TlsRootCertFile)).ToList(),
        _users);

    /// <summary>Switches every fault of every node off (tests that share a network call this between tests).</summary>
    public void ClearFaults()
    {
        foreach (var peer in Peers)
        {
            peer.Faults.Clear();
        }

        foreach (var orderer in Orderers)
        {
            orderer.Faults.Clear();
        }
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

    /// <summary>
    /// An Ed25519 client identity of org <paramref name="org"/> (Ed25519User1@org{N}.example.com under
    /// &lt;Directory&gt;/ed25519), as Fabric 3's cryptogen issues for an Ed25519 org: PKCS#8 Ed25519 key, Ed25519
    /// signing certificate from the org's CA. The network's MSPs accept it like any member identity.
    /// </summary>
    public DevIdentity CreateEd25519Identity(int org)
    {
        var material = OrgOf(org);
        var name = $"Ed25519User1@{material.Domain}";
        lock (_gate)
        {
            return material.EnsureEd25519User(Path.Combine(_root, "ed25519", material.Domain, "users", name), name, "client");
        }
    }

    /// <summary>Stops every node promptly (open deliver streams included), flushes the ledgers and releases the folder.</summary>
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

        // Unpublish first, so no process attaches to a network that is going away.
        if (SummaryFile is not null)
        {
            AtomicFile.TryDelete(SummaryFile);
        }

        if (EnvironmentFile is not null)
        {
            AtomicFile.TryDelete(EnvironmentFile);
        }

        if (ConnectionProfileFile is not null)
        {
            AtomicFile.TryDelete(ConnectionProfileFile);
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

        // Last: only now may another process take the folder.
        _folder.Dispose();
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
}
