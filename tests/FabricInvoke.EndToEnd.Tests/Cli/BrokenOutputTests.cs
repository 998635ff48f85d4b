using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Cli;

/// <summary>
/// stdout or stderr closed, on a full device, or a pipe whose reader is gone: the process must neither crash nor
/// change the exit code it earned (a script that sees a failure may re-submit a transaction that committed).
/// </summary>
public sealed class BrokenOutputTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public BrokenOutputTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Theory]
    [InlineData("2>&-")]
    [InlineData(">&- 2>&-")]
    [InlineData("2>/dev/full")]
    [InlineData(">/dev/full 2>/dev/full")]
    [InlineData("2>&1 | true")]
    public async Task A_committed_invoke_exits_0_whatever_happened_to_its_output(string redirections)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // bash redirections: Unix only
        }
        var args = _net.InvokeArgs("""{"Args":["Put","broken-out","1"]}""");
        args.AddRange(["--output", "json"]);

        var code = await FabinvokeProcess.RunUnderShellAsync(_net.UserEnvironment(), redirections, [.. args]);

        Assert.Equal(0, code);
    }

    [Theory]
    [InlineData("2>&-")]
    [InlineData(">/dev/full 2>/dev/full")]
    [InlineData("2>&1 | true")]
    public async Task A_failed_invoke_keeps_its_exit_code_whatever_happened_to_its_output(string redirections)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // bash redirections: Unix only
        }
        var args = _net.InvokeArgs("""{"Args":["Fail","nobody reads this"]}""");
        args.AddRange(["--output", "json"]);

        var code = await FabinvokeProcess.RunUnderShellAsync(_net.UserEnvironment(), redirections, [.. args]);

        Assert.Equal(5, code);
    }

    [Theory]
    [InlineData(">&-")]
    [InlineData(">/dev/full")]
    [InlineData("| true")]
    public async Task Help_exits_0_whatever_happened_to_its_output(string redirections)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // bash redirections: Unix only
        }

        Assert.Equal(0, await FabinvokeProcess.RunUnderShellAsync(new Dictionary<string, string?>(), redirections, "chaincode", "invoke", "--help"));
    }

    [Fact]
    public async Task A_usage_error_exits_2_with_stderr_closed()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // bash redirections: Unix only
        }

        Assert.Equal(2, await FabinvokeProcess.RunUnderShellAsync(new Dictionary<string, string?>(), "2>&-", "chaincode", "invoke", "--frobnicate"));
    }
}
