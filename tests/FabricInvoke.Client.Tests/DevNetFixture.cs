using FabricInvoke.Core;
using FabricInvoke.DevNet;

namespace FabricInvoke.Client.Tests;

/// <summary>A DevNet (2 orgs × 1 peer, TLS) shared by the tests of one class, and clients for it built from the public API.</summary>
public sealed class DevNetFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "fabinvoke-client-" + Guid.NewGuid().ToString("N"));

    public DevNetwork Network { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Network = await DevNetwork.StartAsync(new DevNetOptions { Directory = _directory }).WaitAsync(TimeSpan.FromSeconds(60));

    public async Task DisposeAsync()
    {
        await Network.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>Org1's User1 as loaded from its MSP folder (dispose it).</summary>
    public TestUser User() => new(
        ClientIdentity.FromMspFolder(Network.User(1).MspDirectory, Network.User(1).MspId), Signers.FromMspFolder(Network.User(1).MspDirectory, Network.User(1).MspId));

    public IReadOnlyList<FabricEndpoint> PeerEndpoints => Network.Peers.Select(p => new FabricEndpoint { Address = p.Address, TlsRootCertificateFile = p.TlsRootCertFile }).ToList();

    public IReadOnlyList<FabricEndpoint> OrdererEndpoints => [new FabricEndpoint { Address = Network.Orderer.Address, TlsRootCertificateFile = Network.Orderer.TlsRootCertFile }];

    /// <summary>Options for a client of Org1's User1 over self-made channels to every peer and the orderer.</summary>
    public FabricClientOptions Options(TestUser user, SubmitPath path = SubmitPath.Direct) => new()
    {
        Identity = user.Identity,
        Signer = user,
        Peers = PeerEndpoints,
        Orderers = OrdererEndpoints,
        Path = path,
        CommitStatusTimeout = TimeSpan.FromSeconds(60),
    };
}

/// <summary>Org1's User1 as the public API gives it: an identity and the signer for it (which owns the key).</summary>
public sealed class TestUser(ClientIdentity identity, ISigner signer) : ISigner, IDisposable
{
    public ClientIdentity Identity { get; } = identity;

    public byte[] Sign(ReadOnlySpan<byte> message) => signer.Sign(message);

    public void Dispose() => (signer as IDisposable)?.Dispose();
}
