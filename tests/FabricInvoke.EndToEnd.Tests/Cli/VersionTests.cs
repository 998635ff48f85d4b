using System.Reflection;
using FabricInvoke.Cli;

namespace FabricInvoke.EndToEnd.Tests.Cli;

/// <summary>--version prints the build's version and commit alone; anything after it is still a usage error.</summary>
public sealed class VersionTests
{
    [Fact]
    public async Task Version_prints_the_informational_version_and_nothing_else()
    {
        var expected = typeof(FabInvokeApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), ["--version"]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(expected + Environment.NewLine, outcome.Stdout);
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9a-f]{7,40})?$", expected);
        Assert.Empty(outcome.Stderr);
    }

    [Fact]
    public async Task Version_with_another_argument_is_a_usage_error()
    {
        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), ["--version", "chaincode"]);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Single(outcome.ErrorLines);
    }
}
