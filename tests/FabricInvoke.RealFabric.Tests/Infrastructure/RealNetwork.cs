using System.Globalization;
using System.Text.RegularExpressions;

namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>
/// One real Fabric network (../shared/fabric/network.sh) for a whole test run: started when its collection starts, in
/// a folder of its own under the run's temp folder, stopped (<c>network.sh down</c>) and removed at the end. Two orgs
/// with one peer each, TLS everywhere, channel <c>mychannel</c>, chaincode <c>basic</c>; <see cref="Env"/> is what
/// <c>. DIR/network.env</c> exports (Org1 User1, the Go peer CLI on PATH).
/// Base ports: <c>FABINVOKE_REALFABRIC_BASE_PORT</c> (default 24000: below Linux's ephemeral port range, 32768-60999, where any outgoing connection of the test run could already hold a port) + the network's offset; each network uses base+0..99.
/// </summary>
public abstract partial class RealNetwork : IAsyncLifetime, IScenarioTarget
{
    public const string BasePortVariable = "FABINVOKE_REALFABRIC_BASE_PORT";
    public const string ChannelId = "mychannel";
    public const string Chaincode = "basic";

    /// <summary>Bound on one peer CLI or fabinvoke command (a hang fails the test, never blocks the run).</summary>
    public static readonly TimeSpan CommandBound = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan StartBound = TimeSpan.FromMinutes(5);
    private static readonly Lazy<string> RunFolder = new(() => Directory.CreateTempSubdirectory("fabinvoke-realfabric-").FullName);
    private static readonly Lazy<Task<string>> ChaincodeModules = new(InstallChaincodeModules);
    private static int _networksAlive;

    private const string ScenarioReadyCtor = """{"Args":["Put","network-ready","1"]}""";

    private readonly Dictionary<string, StoppedNode> _stopped = [];
    private Dictionary<string, string?> _env = [];

    /// <param name="version">2.4.9 or 3.0.0.</param>
    /// <param name="portOffset">Added to the tier's base port (0, 100, … 500: one network each).</param>
    /// <param name="mutualTls">Every node requires a client certificate.</param>
    /// <param name="variant">Names a network prepared differently from the others of its version (<see cref="PrepareAsync"/>); part of <see cref="Name"/>.</param>
    protected RealNetwork(string version, int portOffset, bool mutualTls, string? variant = null)
    {
        Version = version;
        MutualTls = mutualTls;
        var basePort = Environment.GetEnvironmentVariable(BasePortVariable) is { Length: > 0 } b
            ? int.Parse(b, CultureInfo.InvariantCulture)
            : 24000;
        BasePort = basePort + portOffset;
        Name = $"fabric-{version}{(mutualTls ? "-mtls" : "")}{(variant is null ? "" : "-" + variant)}";
    }

    /// <summary>"fabric-2.4.9", "fabric-3.0.0", "fabric-2.4.9-mtls", "fabric-3.0.0-mtls"; a variant's name ends in it.</summary>
    public string Name { get; }

    public string Version { get; }

    public bool MutualTls { get; }

    public int BasePort { get; }

    /// <summary>The network's state folder (network.sh's DIR).</summary>
    public string Dir { get; private set; } = "";

    /// <summary>The variables DIR/network.env exports, as a shell that sourced it sees them.</summary>
    public IReadOnlyDictionary<string, string?> Env => _env;

    /// <summary>False when the kit is missing outside CI (every test is skipped then and nothing was started).</summary>
    public bool Started { get; private set; }

    public string OrdererAddress => Var("ORDERER_ADDRESS");

    /// <summary>Every orderer (one on 2.4.9, four BFT orderers on 3.0.0), in ORDERER_NAMES' order.</summary>
    public IReadOnlyList<string> OrdererAddresses => Var("ORDERER_ADDRESSES").Split(',');

    /// <summary>The orderers' process names in DIR/pids (orderer; orderer1..orderer4).</summary>
    public IReadOnlyList<string> OrdererNames => Var("ORDERER_NAMES").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public string OrdererCa => Var("ORDERER_CA");

    public string Org1PeerAddress => Var("ORG1_PEER_ADDRESS");

    public string Org1PeerCa => Var("ORG1_PEER_CA");

    public string Org2PeerAddress => Var("ORG2_PEER_ADDRESS");

    public string Org2PeerCa => Var("ORG2_PEER_CA");

    /// <summary>Peer address of Org1 or Org2.</summary>
    public string PeerAddress(int org) => org == 1 ? Org1PeerAddress : Org2PeerAddress;

    /// <summary>TLS CA file of Org1's or Org2's peer.</summary>
    public string PeerCa(int org) => org == 1 ? Org1PeerCa : Org2PeerCa;

    /// <summary>The peer process names in DIR/pids.</summary>
    public static string PeerName(int org) => $"peer0.org{org}";

    public string Organizations => Path.Combine(Dir, "organizations");

    /// <summary>The MSP folder of <paramref name="user"/> (User1 or Admin) of Org1, Org2 or Org3 (Org3: not a channel member).</summary>
    public string IdentityMsp(int org, string user = "User1") =>
        Path.Combine(Organizations, "peerOrganizations", $"org{org}.example.com", "users", $"{user}@org{org}.example.com", "msp");

    /// <summary>The TLS folder (client.crt, client.key, ca.crt) of <paramref name="user"/> of an org.</summary>
    public string IdentityTls(int org, string user = "User1") =>
        Path.Combine(Organizations, "peerOrganizations", $"org{org}.example.com", "users", $"{user}@org{org}.example.com", "tls");

    /// <summary>An orderer's TLS folder (server.crt, server.key, ca.crt) by process name.</summary>
    public string OrdererTls(string name) =>
        Path.Combine(Organizations, "ordererOrganizations", "example.com", "orderers", $"{name}.example.com", "tls");

    /// <summary>The usual invoke flags against both peers and the first orderer (the README's command).</summary>
    public List<string> InvokeArgs(string ctorJson, bool waitForEvent = true)
    {
        var args = new List<string>
        {
            "chaincode", "invoke", "-o", OrdererAddress, "--tls", "--cafile", OrdererCa, "-C", ChannelId, "-n", Chaincode,
            "--peerAddresses", Org1PeerAddress, "--tlsRootCertFiles", Org1PeerCa,
            "--peerAddresses", Org2PeerAddress, "--tlsRootCertFiles", Org2PeerCa, "-c", ctorJson,
        };
        if (MutualTls)
        {
            var tls = IdentityTls(1);
            args.AddRange(["--clientauth", "--certfile", Path.Combine(tls, "client.crt"), "--keyfile", Path.Combine(tls, "client.key")]);
        }

        if (waitForEvent)
        {
            args.Add("--waitForEvent");
        }

        return args;
    }

    /// <summary>Runs the built fabinvoke (<c>dotnet fabinvoke.dll</c>) with <see cref="Env"/>.</summary>
    public Task<CliOutcome> Fabinvoke(params string[] args) => Fabinvoke(new Dictionary<string, string?>(), args);

    /// <summary>Runs fabinvoke with <see cref="Env"/> and then <paramref name="overrides"/> (a null value unsets a variable).</summary>
    public Task<CliOutcome> Fabinvoke(IReadOnlyDictionary<string, string?> overrides, params string[] args) =>
        ProcessRun.RunFabinvokeAsync(args, Merge(overrides), CommandBound);

    /// <summary>Runs the Go <c>peer</c> CLI of this network's version with <see cref="Env"/> (FABRIC_CFG_PATH set).</summary>
    public Task<CliOutcome> PeerCli(params string[] args) => PeerCli(new Dictionary<string, string?>(), args);

    /// <summary>Runs the Go <c>peer</c> CLI with <see cref="Env"/> and then <paramref name="overrides"/>.</summary>
    public Task<CliOutcome> PeerCli(IReadOnlyDictionary<string, string?> overrides, params string[] args) =>
        ProcessRun.RunAsync(Path.Combine(Dir, "bin", "peer"), args, Merge(overrides), CommandBound);

    /// <summary>
    /// The value of <paramref name="key"/> as the Go CLI reads it back (<c>peer chaincode query … Get</c> on Org1's
    /// peer); null when the chaincode says the asset does not exist.
    /// </summary>
    public async Task<string?> Query(string key)
    {
        var args = new List<string> { "chaincode", "query", "-C", ChannelId, "-n", Chaincode, "-c", $$"""{"Args":["Get","{{key}}"]}""" };
        var outcome = await PeerCli(args.ToArray());
        if (outcome.ExitCode == 0)
        {
            return outcome.Stdout.TrimEnd('\n');
        }

        Assert.True(outcome.Stderr.Contains("does not exist", StringComparison.Ordinal), $"peer chaincode query of {key} failed\n{outcome}");
        return null;
    }

    /// <summary>
    /// Stops one node (a name in DIR/pids: orderer, orderer1..4, peer0.org1, peer0.org2, chaincode) and waits for it to
    /// exit. Its command line and environment are kept for <see cref="StartStoppedNodes"/>.
    /// </summary>
    public async Task StopNode(string name)
    {
        var pid = Pids().TryGetValue(name, out var p) ? p : throw new ArgumentException($"no node {name} in {Dir}/pids", nameof(name));
        var proc = $"/proc/{pid}";
        var node = new StoppedNode(
            Split(await File.ReadAllBytesAsync($"{proc}/cmdline")),
            Split(await File.ReadAllBytesAsync($"{proc}/environ")),
            new DirectoryInfo($"{proc}/cwd").ResolveLinkTarget(returnFinalTarget: false)?.FullName ?? Dir);
        var outcome = await ProcessRun.RunAsync("bash", ["-c", "kill \"$1\"; for _ in $(seq 1 100); do kill -0 \"$1\" 2>/dev/null || exit 0; sleep 0.1; done; kill -9 \"$1\"", "bash", pid],
            new Dictionary<string, string?>(), TimeSpan.FromSeconds(30));
        Assert.True(outcome.ExitCode == 0, $"stopping {name}\n{outcome}");
        lock (_stopped)
        {
            _stopped[name] = node;
        }

        static string[] Split(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Starts the nodes <see cref="StopNode"/> stopped, as they ran (command line, environment, log file; DIR/pids
    /// updated so that network.sh down stops them), then waits until the Go CLI commits a Put on both peers (an
    /// orderer has elected its leader, a peer has caught up) — network.sh's own readiness test. Much faster than
    /// <see cref="RestartAll"/>.
    /// </summary>
    public async Task StartStoppedNodes()
    {
        KeyValuePair<string, StoppedNode>[] stopped;
        lock (_stopped)
        {
            stopped = [.. _stopped];
            _stopped.Clear();
        }

        if (stopped.Length == 0)
        {
            return;
        }

        var pids = Pids();
        foreach (var (name, node) in stopped)
        {
            var start = await ProcessRun.RunAsync("bash",
                ["-c", "log=$1; cd \"$2\"; shift 2; nohup env -i \"$@\" >>\"$log\" 2>&1 </dev/null & echo $!", "bash",
                    Path.Combine(Dir, "logs", name + ".log"), node.WorkingDirectory, .. node.Environment, .. node.CommandLine],
                new Dictionary<string, string?>(), TimeSpan.FromSeconds(30));
            Assert.True(start.ExitCode == 0, $"starting {name} again\n{start}");
            pids[name] = start.Stdout.Trim();
        }

        await File.WriteAllLinesAsync(Path.Combine(Dir, "pids"), pids.Select(p => $"{p.Key} {p.Value}"));
        var ready = InvokeArgs(ScenarioReadyCtor);
        CliOutcome last = null!;
        for (var attempt = 0; attempt < 120; attempt++)
        {
            last = await PeerCli([.. ready]);
            if (last.ExitCode == 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500)); // polling for readiness, as network.sh does
        }

        Assert.Fail($"{Name}: no Put committed after starting {string.Join(", ", stopped.Select(s => s.Key))} again\n{last}");
    }

    /// <summary>Restarts every node (<c>network.sh up DIR</c>: stops what runs, starts all, waits until a Put commits).</summary>
    public async Task RestartAll()
    {
        var outcome = await ProcessRun.RunAsync("bash", [RealFabricHome.NetworkScript, "up", Dir], new Dictionary<string, string?>(), StartBound);
        Assert.True(outcome.ExitCode == 0 && outcome.Stdout.Contains("ready", StringComparison.Ordinal), $"network.sh up {Dir} (restart)\n{outcome}");
    }

    bool IScenarioTarget.HasGoCli => true;

    public IReadOnlyList<string> NodeAddresses => [Org1PeerAddress, Org2PeerAddress, .. OrdererAddresses];

    string IScenarioTarget.UserMsp(int org, string user) => IdentityMsp(org, user);

    (string Cert, string Key) IScenarioTarget.UserTls(int org) =>
        (Path.Combine(IdentityTls(org), "client.crt"), Path.Combine(IdentityTls(org), "client.key"));

    (string MspId, string Msp) IScenarioTarget.ForeignUser() => ("Org3MSP", IdentityMsp(3));

    Task<string?> IScenarioTarget.ReadBack(string key) => Query(key);

    /// <summary>Whether <paramref name="txid"/> is in a block: qscc GetTransactionByID through the Go CLI.</summary>
    public async Task<bool?> InBlock(string txid)
    {
        var outcome = await PeerCli("chaincode", "query", "-C", ChannelId, "-n", "qscc", "-c", $$"""{"Args":["GetTransactionByID","{{ChannelId}}","{{txid}}"]}""");
        return outcome.ExitCode == 0;
    }

    Task IScenarioTarget.Stop(Node node) => StopNode(node == Node.Org2Peer ? PeerName(2) : OrdererNames[0]);

    Task IScenarioTarget.Heal() => StartStoppedNodes();

    public async Task InitializeAsync()
    {
        if (RealFabricHome.Folder is null)
        {
            // Outside CI every test skips; in CI each test fails on RealFabricHome.NetworkScript's assertion.
            return;
        }

        Dir = Path.Combine(RunFolder.Value, Name);
        Interlocked.Increment(ref _networksAlive);
        var start = new Dictionary<string, string?>
        {
            ["FABRIC_NET_VERSION"] = Version,
            ["FABRIC_NET_BASE_PORT"] = BasePort.ToString(CultureInfo.InvariantCulture),
            ["FABRIC_NET_MTLS"] = MutualTls ? "1" : "0",
        };
        // The chaincode's packages, installed once per run and shared: network.sh runs `npm ci` only where DIR has none.
        Directory.CreateDirectory(Path.Combine(Dir, "chaincode"));
        File.CreateSymbolicLink(Path.Combine(Dir, "chaincode", "node_modules"), await ChaincodeModules.Value);
        var up = await ProcessRun.RunAsync("bash", [RealFabricHome.NetworkScript, "up", Dir], start, StartBound);
        if (up.ExitCode != 0 || !up.Stdout.Contains("ready", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{Name} did not start (network.sh up {Dir}, base port {BasePort}; logs in {Dir}/logs)\n{up}\n{LogTails()}");
        }

        _env = await ReadEnvironment(Path.Combine(Dir, "network.env"));
        Started = true;
        await PrepareAsync();
    }

    /// <summary>Runs once the network is up, before any test: a variant changes its network here (its channel configuration, say).</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (Dir.Length == 0)
        {
            return;
        }

        await ProcessRun.RunAsync("bash", [RealFabricHome.NetworkScript, "down", Dir], new Dictionary<string, string?>(), TimeSpan.FromMinutes(1));
        try
        {
            Directory.Delete(Dir, recursive: true);
            if (Interlocked.Decrement(ref _networksAlive) == 0)
            {
                Directory.Delete(RunFolder.Value, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless (the nodes are stopped).
        }
    }

    /// <summary><c>npm ci</c> of the kit's chaincode into the run's folder; returns its node_modules.</summary>
    private static async Task<string> InstallChaincodeModules()
    {
        var folder = Path.Combine(RunFolder.Value, "chaincode-modules");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "package.json", "package-lock.json" })
        {
            File.Copy(Path.Combine(RealFabricHome.Folder!, "chaincode", file), Path.Combine(folder, file));
        }

        var npm = await ProcessRun.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--silent"], new Dictionary<string, string?>(), StartBound, folder);
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci for the chaincode failed in {folder} (network.sh needs node and npm)\n{npm}");
        }

        return Path.Combine(folder, "node_modules");
    }

    private Dictionary<string, string> Pids() =>
        File.ReadAllLines(Path.Combine(Dir, "pids")).Select(l => l.Split(' ')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

    private Dictionary<string, string?> Merge(IReadOnlyDictionary<string, string?> overrides)
    {
        Assert.True(Started, RealFabricHome.Folder is null ? RealFabricHome.MissingReason : $"{Name} is not running");
        var env = new Dictionary<string, string?>(_env);
        foreach (var (k, v) in overrides)
        {
            env[k] = v;
        }

        return env;
    }

    private string Var(string name) =>
        _env.TryGetValue(name, out var value) && value is not null ? value : throw new InvalidOperationException($"{name} is not in {Dir}/network.env");

    /// <summary>Sources network.env in bash and keeps the variables it names, with the values the shell gives them.</summary>
    private static async Task<Dictionary<string, string?>> ReadEnvironment(string file)
    {
        var names = ExportedName().Matches(await File.ReadAllTextAsync(file)).Select(m => m.Groups[1].Value).ToHashSet();
        var dump = await ProcessRun.RunAsync("bash", ["-c", ". \"$1\" && env -0", "bash", file], new Dictionary<string, string?>(), TimeSpan.FromSeconds(30));
        Assert.True(dump.ExitCode == 0, $"sourcing {file}\n{dump}");
        var env = new Dictionary<string, string?>();
        foreach (var entry in dump.Stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && names.Contains(entry[..eq]))
            {
                env[entry[..eq]] = entry[(eq + 1)..];
            }
        }

        return env;
    }

    private string LogTails()
    {
        var logs = Path.Combine(Dir, "logs");
        if (!Directory.Exists(logs))
        {
            return "";
        }

        return string.Join('\n', Directory.GetFiles(logs).Select(f => $"--- {Path.GetFileName(f)} (last lines)\n{string.Join('\n', File.ReadLines(f).TakeLast(8))}"));
    }

    [GeneratedRegex(@"(?:^|\s)([A-Z_][A-Z0-9_]*)=", RegexOptions.Multiline)]
    private static partial Regex ExportedName();

    private sealed record StoppedNode(string[] CommandLine, string[] Environment, string WorkingDirectory);
}

/// <summary>Fabric 2.4.9: one etcdraft orderer, ECDSA identities. Base port +0.</summary>
public sealed class Fabric249 : RealNetwork
{
    public Fabric249()
        : base("2.4.9", 0, mutualTls: false)
    {
    }
}

/// <summary>Fabric 3.0.0: four BFT orderers, Org2's peer and User1 Ed25519. Base port +100.</summary>
public sealed class Fabric300 : RealNetwork
{
    public Fabric300()
        : base("3.0.0", 100, mutualTls: false)
    {
    }
}

/// <summary>Fabric 2.4.9 where every node requires a client certificate (network.env exports User1's TLS pair). Base port +200.</summary>
public sealed class Fabric249Mtls : RealNetwork
{
    public Fabric249Mtls()
        : base("2.4.9", 200, mutualTls: true)
    {
    }
}

/// <summary>
/// Fabric 3.0.0 where every node requires a client certificate: four BFT orderers, Org2's peer, User1 and User1's TLS
/// client certificate Ed25519 (network.env exports Org1 User1's ECDSA pair). Base port +300.
/// </summary>
public sealed class Fabric300Mtls : RealNetwork
{
    public Fabric300Mtls()
        : base("3.0.0", 300, mutualTls: true)
    {
    }
}

[CollectionDefinition("fabric-2.4.9")]
public sealed class Fabric249Collection : ICollectionFixture<Fabric249>;

[CollectionDefinition("fabric-3.0.0")]
public sealed class Fabric300Collection : ICollectionFixture<Fabric300>;

[CollectionDefinition("fabric-mtls")]
public sealed class Fabric249MtlsCollection : ICollectionFixture<Fabric249Mtls>;

[CollectionDefinition("fabric-3.0.0-mtls")]
public sealed class Fabric300MtlsCollection : ICollectionFixture<Fabric300Mtls>;
