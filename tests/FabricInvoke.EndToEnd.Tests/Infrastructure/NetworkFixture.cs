using FabricInvoke.DevNet;

namespace FabricInvoke.EndToEnd.Tests.Infrastructure;

/// <summary>A DevNet (2 orgs × 1 peer, TLS, 100 ms batch timeout) shared by the tests of one class, in its own temp folder.</summary>
public class NetworkFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "fabinvoke-e2e-" + Guid.NewGuid().ToString("N"));

    public DevNetwork Network { get; private set; } = null!;

    protected void Use(DevNetwork network) => Network = network;

    protected virtual DevNetOptions Options(string directory) => new() { Directory = directory };

    public async Task InitializeAsync()
    {
        Network = await DevNetwork.StartAsync(Options(_directory)).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await Network.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    /// <summary>Environment for Org1's User1 as a Fabric operator would export it (TLS on).</summary>
    public Dictionary<string, string?> UserEnvironment(int org = 1)
    {
        var user = Network.User(org);
        return new Dictionary<string, string?>
        {
            ["CORE_PEER_LOCALMSPID"] = user.MspId,
            ["CORE_PEER_MSPCONFIGPATH"] = user.MspDirectory,
            ["CORE_PEER_TLS_ENABLED"] = "true",
            ["FABINVOKE_DEBUG_STACK"] = "1",
        };
    }

    /// <summary>The usual invoke command line against every peer of the network.</summary>
    public List<string> InvokeArgs(string ctorJson, bool wait = true, string timeout = "20s")
    {
        var args = new List<string> { "chaincode", "invoke", "-C", Network.ChannelId, "-n", "basic", "-c", ctorJson };
        foreach (var peer in Network.Peers)
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        args.AddRange(["-o", Network.Orderer.Address, "--tls", "--cafile", Network.Orderer.TlsRootCertFile]);
        if (wait)
        {
            args.AddRange(["--waitForEvent", "--waitForEventTimeout", timeout]);
        }

        return args;
    }

    /// <summary>Resets every fault to healthy (tests in a class share the network).</summary>
    public void Heal() => Network.ClearFaults();
}

/// <summary>Three organisations with one peer each (a majority is two of three).</summary>
public sealed class ThreeOrgNetworkFixture : NetworkFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, Orgs = 3 };
}

/// <summary>Fixture helpers over a network a test started itself.</summary>
public sealed class StartedNetwork : NetworkFixture
{
    public StartedNetwork(DevNetwork network)
    {
        Use(network);
    }
}

/// <summary>Same network, but peers and orderer require client certificates (mutual TLS).</summary>
public sealed class MutualTlsNetworkFixture : NetworkFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, RequireClientTls = true };

    /// <summary>User1's environment with its TLS client certificate for the peers (CORE_PEER_TLS_CLIENTAUTHREQUIRED/CLIENTCERT_FILE/CLIENTKEY_FILE).</summary>
    public Dictionary<string, string?> ClientCertificateEnvironment()
    {
        var user = Network.User(1);
        var env = UserEnvironment();
        env["CORE_PEER_TLS_CLIENTAUTHREQUIRED"] = "true";
        env["CORE_PEER_TLS_CLIENTCERT_FILE"] = user.TlsCertFile;
        env["CORE_PEER_TLS_CLIENTKEY_FILE"] = user.TlsKeyFile;
        return env;
    }

    /// <summary>
    /// The invoke of <paramref name="ctor"/> as User1 with its TLS client certificate given both ways: to the peers by
    /// <see cref="ClientCertificateEnvironment"/>, to the orderer by --clientauth --certfile --keyfile.
    /// </summary>
    public (Dictionary<string, string?> Env, List<string> Args) MutualTlsCommand(string ctor)
    {
        var user = Network.User(1);
        var args = InvokeArgs(ctor);
        args.AddRange(["--clientauth", "--certfile", user.TlsCertFile, "--keyfile", user.TlsKeyFile]);
        return (ClientCertificateEnvironment(), args);
    }
}
