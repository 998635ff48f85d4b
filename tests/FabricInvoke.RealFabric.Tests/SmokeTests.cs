using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>Each network of the tier is up: fabinvoke commits a Put there and the Go CLI reads it back.</summary>
public abstract class SmokeTests(RealNetwork network)
{
    [RealFabricFact]
    public async Task A_put_by_fabinvoke_is_read_back_by_the_go_cli()
    {
        var key = $"smoke-{Guid.NewGuid():N}";
        var outcome = await network.Fabinvoke([.. network.InvokeArgs($$"""{"Args":["Put","{{key}}","v1"]}""")]);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("v1", await network.Query(key));
    }
}

[Collection("fabric-2.4.9")]
public sealed class SmokeTests249(Fabric249 network) : SmokeTests(network);

[Collection("fabric-3.0.0")]
public sealed class SmokeTests300(Fabric300 network) : SmokeTests(network);

[Collection("fabric-mtls")]
public sealed class SmokeTestsMtls(Fabric249Mtls network) : SmokeTests(network);
