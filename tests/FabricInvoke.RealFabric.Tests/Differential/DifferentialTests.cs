using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests.Differential;

// One class per network: each row of Scenarios runs as the Go peer CLI and as fabinvoke on it (DevNet: fabinvoke alone,
// held to the class real Fabric gives).

[Collection("fabric-2.4.9")]
public sealed class Fabric249DifferentialTests(Fabric249 network)
{
    [RealFabricTheory]
    [MemberData(nameof(Scenarios.Plain), MemberType = typeof(Scenarios))]
    public Task Same_outcome_as_the_go_cli(string scenario) => DifferentialRunner.Run(network, scenario);
}

[Collection("fabric-3.0.0")]
public sealed class Fabric300DifferentialTests(Fabric300 network)
{
    [RealFabricTheory]
    [MemberData(nameof(Scenarios.Plain), MemberType = typeof(Scenarios))]
    public Task Same_outcome_as_the_go_cli(string scenario) => DifferentialRunner.Run(network, scenario);
}

[Collection("fabric-mtls")]
public sealed class Fabric249MutualTlsDifferentialTests(Fabric249Mtls network)
{
    [RealFabricTheory]
    [MemberData(nameof(Scenarios.MutualTls), MemberType = typeof(Scenarios))]
    public Task Same_outcome_as_the_go_cli(string scenario) => DifferentialRunner.Run(network, scenario);
}

[Collection("fabric-3.0.0-mtls")]
public sealed class Fabric300MutualTlsDifferentialTests(Fabric300Mtls network)
{
    [RealFabricTheory]
    [MemberData(nameof(Scenarios.MutualTls), MemberType = typeof(Scenarios))]
    public Task Same_outcome_as_the_go_cli(string scenario) => DifferentialRunner.Run(network, scenario);
}

/// <summary>DevNet's fidelity: fabinvoke on DevNet gets the outcome real Fabric gives (the same table).</summary>
[Collection("devnet")]
public sealed class DevNetFidelityTests(DevNetPlain devnet, DevNetMutualTls mutualTls)
{
    [Theory]
    [MemberData(nameof(Scenarios.Plain), MemberType = typeof(Scenarios))]
    public Task Same_outcome_as_real_fabric(string scenario) => DifferentialRunner.Run(devnet, scenario);

    [Theory]
    [MemberData(nameof(Scenarios.MutualTls), MemberType = typeof(Scenarios))]
    public Task Same_outcome_as_real_fabric_with_mutual_tls(string scenario) => DifferentialRunner.Run(mutualTls, scenario);
}
