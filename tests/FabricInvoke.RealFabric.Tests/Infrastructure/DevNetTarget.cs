using FabricInvoke.DevNet;

namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>
/// DevNet (the embedded network, in this process) as a scenario target: the same 2 orgs × 1 peer with TLS, channel
/// mychannel and chaincode basic, in a temp folder of its own; fabinvoke runs against it as a separate process.
/// </summary>
public abstract class DevNetTarget(bool mutualTls) : IAsyncLifetime, IScenarioTarget
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "fabinvoke-realfabric-devnet-" + Guid.NewGuid().ToString("N"));
    private DevNetwork _network = null!;

    public string Name => mutualTls ? "devnet-mtls" : "devnet";

    public bool MutualTls => mutualTls;

    public bool HasGoCli => false;

    public string OrdererAddress => _network.Orderer.Address;

    public string OrdererCa => _network.Orderer.TlsRootCertFile;

    public IReadOnlyList<string> NodeAddresses => [.. _network.Peers.Select(p => p.Address), _network.Orderer.Address];

    public string PeerAddress(int org) => _network.Peers[org - 1].Address;

    public string PeerCa(int org) => _network.Peers[org - 1].TlsRootCertFile;

    public string UserMsp(int org, string user = "User1") => (user == "Admin" ? _network.Admin(org) : _network.User(org)).MspDirectory;

    public (string Cert, string Key) UserTls(int org) => (_network.User(org).TlsCertFile, _network.User(org).TlsKeyFile);

    public (string MspId, string Msp) ForeignUser()
    {
        var foreign = _network.CreateForeignIdentity();
        return (foreign.MspId, foreign.MspDirectory);
    }

    public async Task InitializeAsync()
    {
        _network = await DevNetwork.StartAsync(new DevNetOptions { Directory = _directory, RequireClientTls = mutualTls }).WaitAsync(TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        await _network.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    public Task<CliOutcome> Fabinvoke(IReadOnlyDictionary<string, string?> overrides, params string[] args)
    {
        var user = _network.User(1);
        var env = new Dictionary<string, string?>
        {
            ["CORE_PEER_LOCALMSPID"] = user.MspId,
            ["CORE_PEER_MSPCONFIGPATH"] = user.MspDirectory,
            ["CORE_PEER_TLS_ENABLED"] = "true",
            ["CORE_PEER_ADDRESS"] = PeerAddress(1),
            ["CORE_PEER_TLS_ROOTCERT_FILE"] = PeerCa(1),
        };
        if (mutualTls)
        {
            env["CORE_PEER_TLS_CLIENTAUTHREQUIRED"] = "true";
            env["CORE_PEER_TLS_CLIENTCERT_FILE"] = user.TlsCertFile;
            env["CORE_PEER_TLS_CLIENTKEY_FILE"] = user.TlsKeyFile;
        }

        foreach (var (k, v) in overrides)
        {
            env[k] = v;
        }

        return ProcessRun.RunAsync("dotnet", [ProcessRun.FabinvokeDll, .. args], env, RealNetwork.CommandBound);
    }

    public Task<CliOutcome> PeerCli(IReadOnlyDictionary<string, string?> overrides, params string[] args) =>
        throw new InvalidOperationException("DevNet has no Go peer CLI");

    public async Task<string?> ReadBack(string key)
    {
        var outcome = await Fabinvoke(new Dictionary<string, string?>(), "chaincode", "query", "-C", _network.ChannelId, "-n", "basic",
            "-c", $$"""{"Args":["Get","{{key}}"]}""", "--peerAddresses", PeerAddress(1), "--tlsRootCertFiles", PeerCa(1), "--connTimeout", "10s");
        if (outcome.ExitCode == 0)
        {
            return outcome.Stdout.TrimEnd('\n');
        }

        Assert.True(outcome.Stderr.Contains("does not exist", StringComparison.Ordinal), $"fabinvoke chaincode query of {key} on DevNet failed\n{outcome}");
        return null;
    }

    public Task<bool?> InBlock(string txid) => Task.FromResult<bool?>(null);

    public Task Stop(Node node) => node == Node.Org2Peer ? _network.Peers[1].StopAsync() : _network.Orderer.StopAsync();

    public async Task Heal()
    {
        foreach (var peer in _network.Peers.Where(p => !p.IsRunning))
        {
            await peer.StartAsync();
        }

        if (!_network.Orderer.IsRunning)
        {
            await _network.Orderer.StartAsync();
        }
    }
}

/// <summary>DevNet as the real networks are: TLS, no client certificates.</summary>
public sealed class DevNetPlain() : DevNetTarget(mutualTls: false);

/// <summary>DevNet whose nodes require client certificates, as Fabric249Mtls.</summary>
public sealed class DevNetMutualTls() : DevNetTarget(mutualTls: true);

[CollectionDefinition("devnet")]
public sealed class DevNetCollection : ICollectionFixture<DevNetPlain>, ICollectionFixture<DevNetMutualTls>;
