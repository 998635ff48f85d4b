using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Identity;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// Orderer discovery on a factory shared by concurrent invokes: the first discovery's connections stay (a broadcast may
/// be using them), a later one's are closed instead of replacing them.
/// </summary>
public sealed class DiscoveredOrderersTests
{
    [Fact]
    public async Task Concurrent_discoveries_keep_the_first_orderer_list_and_every_caller_sees_the_same_connections()
    {
        using var signer = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");
        using var factory = ChaincodeCmdFactory.Create(new ConnectionSettings
        {
            Peers = [new NodeEndpoint(Endpoint.Parse("127.0.0.1:7051", "peer"), null, null)],
            PeerTransport = new TransportSettings(TimeSpan.FromSeconds(1), null),
            DiscoveredOrderers = new DiscoveredOrderers(null, null),
        }, signer);
        Assert.True(factory.CanDiscoverOrderers);

        using var go = new ManualResetEventSlim();
        var discoveries = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            go.Wait();
            factory.UseDiscoveredOrderers([$"127.0.0.1:{7050 + i}"]);
            return factory.Orderers;
        })).ToList();
        go.Set();
        var seen = await Task.WhenAll(discoveries);

        var kept = Assert.Single(factory.Orderers);
        Assert.All(seen, list => Assert.Same(kept, Assert.Single(list)));
        Assert.False(factory.CanDiscoverOrderers);
    }
}
