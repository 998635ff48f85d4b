namespace FabricInvoke.DevNet.Tests.Infrastructure;

/// <summary>A DevNet (2 orgs × 1 peer, TLS) shared by the tests of one class, in its own temp folder.</summary>
public class DevNetFixture : IAsyncLifetime
{
    /// <summary>Bound on any one await in tests, so a hang fails instead of blocking the suite.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly List<Client> _clients = [];

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "fabinvoke-devnet-" + Guid.NewGuid().ToString("N"));

    public DevNetwork Network { get; private set; } = null!;

    protected virtual DevNetOptions Options(string directory) => new() { Directory = directory };

    /// <summary>A client acting as <paramref name="identity"/> (default Org1 User1); disposed with the fixture.</summary>
    public Client Client(DevIdentity? identity = null, bool presentClientCertificate = false)
    {
        var client = new Client(Network, identity ?? Network.User(1), presentClientCertificate || Network.RequiresClientTls());
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>Resets every fault to healthy (tests in a class share the network).</summary>
    public void Heal() => Network.ClearFaults();

    public async Task InitializeAsync() => Network = await DevNetwork.StartAsync(Options(Directory)).WaitAsync(TimeSpan.FromSeconds(60));

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Network.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }
}

/// <summary>Same shape, with mutual TLS required on every node.</summary>
public sealed class MutualTlsDevNetFixture : DevNetFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, RequireClientTls = true };
}

/// <summary>Batch size 3 and a long batch timeout, so blocks are cut by count.</summary>
public sealed class BatchSizeDevNetFixture : DevNetFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, BatchSize = 3, BatchTimeout = TimeSpan.FromSeconds(30) };
}

internal static class DevNetworkTestExtensions
{
    public static bool RequiresClientTls(this DevNetwork network) => network.Options.RequireClientTls;
}
