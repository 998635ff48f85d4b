namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>Usage errors of <c>devnet up</c> exit 2 before anything is written: no organizations/, no ledger/, no lock.</summary>
public sealed class DevNetUsageTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("fabinvoke-usage-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task An_empty_dir_is_a_usage_error(string dir)
    {
        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), ["devnet", "up", "--dir", dir]);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains("--dir", outcome.ErrorLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--batch-timeout", "100000h")]
    [InlineData("--batch-timeout", "61m")]
    [InlineData("--batch-timeout", "0s")]
    [InlineData("--batch-timeout", "999us")]
    [InlineData("--batch-timeout", "soon")]
    [InlineData("--orgs", "0")]
    [InlineData("--peers-per-org", "9")]
    [InlineData("--port", "65535")]
    public async Task An_out_of_range_flag_exits_2_and_leaves_nothing_behind(string flag, string value)
    {
        var dir = Path.Combine(_work, "never");

        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), ["devnet", "up", "--dir", dir, flag, value]);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains(flag, outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir), $"{dir} was created by a usage error");
    }

    [Theory]
    [InlineData("devnet", "up")]
    [InlineData("chaincode", "invoke")]
    public async Task A_bad_FABINVOKE_DEVNET_WAIT_is_a_usage_error(string group, string command)
    {
        var dir = Path.Combine(_work, "never");
        var args = group == "devnet"
            ? new[] { group, command, "--dir", dir }
            : [group, command, "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}"""];

        var outcome = await CliRun.RunAsync(new Dictionary<string, string?> { ["FABINVOKE_DEVNET_WAIT"] = "2h" }, args);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains("FABINVOKE_DEVNET_WAIT", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }
}
