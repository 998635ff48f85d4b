using System.Text.RegularExpressions;
using FabricInvoke.RealFabric.Tests.Differential;
using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>README's "Tested against" table stays backed by this tier: the classes it names exist and run the table's rows.</summary>
public sealed partial class TestedAgainstTableTests
{
    [Fact]
    public void Every_test_class_the_table_names_exists_here_and_every_plain_scenario_runs_on_both_versions()
    {
        var readme = File.ReadAllText(Path.Combine(RealFabricHome.RepositoryRoot, "README.md"));
        var start = readme.IndexOf("\n## Tested against\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no \"Tested against\" section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..end];

        var named = ClassName().Matches(section).Select(m => m.Groups[1].Value).ToHashSet();
        var classes = typeof(TestedAgainstTableTests).Assembly.GetTypes().Select(t => t.Name).ToHashSet();
        Assert.NotEmpty(named);
        Assert.Empty(named.Except(classes));
        Assert.Contains(nameof(Fabric249DifferentialTests), named);
        Assert.Contains(nameof(Fabric300DifferentialTests), named);
        Assert.Contains(nameof(Fabric249MutualTlsDifferentialTests), named);
        Assert.Contains(nameof(DevNetFidelityTests), named);

        // At least the 25 scenarios issue 21 asks for on each version; every mutual-TLS one on the mutual-TLS network.
        Assert.True(Scenarios.Plain.Count() >= 25, $"{Scenarios.Plain.Count()} scenarios");
        Assert.True(Scenarios.MutualTls.Count() >= 2, $"{Scenarios.MutualTls.Count()} mutual-TLS scenarios");
        foreach (var deliberate in Scenarios.All.Where(s => s.FabinvokeDeliberately is not null))
        {
            Assert.Contains(deliberate.Name == "empty-args" ? "{\"Args\":[]}" : deliberate.Name, section, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"`(\w+Tests)`")]
    private static partial Regex ClassName();
}
