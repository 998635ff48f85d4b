using System.Globalization;
using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>
/// One owner per DevNet folder, over real processes: parallel <c>--devnet</c> runs queue on the folder's lock (and
/// every run that exited 0 left its write behind), two <c>devnet up</c> never share a folder, and <c>--devnet</c>
/// attaches to a running <c>devnet up</c> instead of starting a second network on its files.
/// </summary>
public sealed class DevNetOwnershipTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("fabinvoke-owner-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <remarks>Every other writer does not wait for the commit: its exit 0 means "the orderer accepted it", which a stopping network must honour too.</remarks>
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    public async Task Parallel_devnet_runs_on_a_new_folder_serialise_and_every_acknowledged_write_is_readable(int round, int writers)
    {
        var dir = Path.Combine(_work, $"new-{round}");

        var runs = await Task.WhenAll(Enumerable.Range(0, writers).Select(i => FabinvokeProcess.RunAsync(_work,
            new[] { "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", $$"""{"Args":["Put","key{{i}}","value{{i}}"]}""" }
                .Concat(i % 2 == 0 ? ["--waitForEvent"] : Array.Empty<string>()).ToArray())));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));

        // A restart verifies every certificate and key it loads: a folder two first runs raced on would be refused here.
        await using var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = dir }).WaitAsync(CliRun.Bound);
        var fixture = new StartedNetwork(network);
        for (var i = 0; i < writers; i++)
        {
            var get = await CliRun.RunAsync(fixture.UserEnvironment(), fixture.InvokeArgs($$"""{"Args":["Get","key{{i}}"]}"""));
            Assert.True(get.ExitCode == 0, $"key{i} written by an exit-0 run is not readable\n{get}\n--- the run that wrote it\n{runs[i]}");
            Assert.Contains($"payload:\"value{i}\"", get.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Devnet_up_owns_its_folder_a_second_up_exits_3_naming_it_and_devnet_runs_attach_to_it()
    {
        var dir = Path.Combine(_work, "up");
        using var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir, "--batch-timeout", "50ms");
        await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);
        var pid = DevNetFolders.OwnerPid(up.Stdout);
        var envFile = Path.Combine(dir, "devnet.env");
        var envBefore = await File.ReadAllTextAsync(envFile);

        var second = await FabinvokeProcess.RunAsync(_work, "devnet", "up", "--dir", dir);

        Assert.True(second.ExitCode == 3, second.ToString());
        second.AssertWellBehaved();
        var refusal = Assert.Single(second.ErrorLines);
        Assert.Contains($"the DevNet folder is owned by process {pid} (fabinvoke devnet up), which runs a network there: use it (chaincode invoke --devnet {dir} attaches to it), stop it, or use another folder", refusal, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine(dir, "devnet.lock"), refusal, StringComparison.Ordinal);
        Assert.Equal(envBefore, await File.ReadAllTextAsync(envFile));

        var put = await FabinvokeProcess.RunAsync(_work, "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Put","attached","yes"]}""", "--waitForEvent");

        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Contains($"attached to the embedded network that process {pid} (fabinvoke devnet up) runs", put.Stderr, StringComparison.Ordinal);

        // The write went to the network `devnet up` runs: read it back through the addresses its devnet.env exports.
        var env = DevNetCommandTests.ReadEnvFile(envFile);
        var args = new List<string> { "chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Get","attached"]}""" };
        args.AddRange(env["FABINVOKE_PEERS"]!.Split(' '));
        args.AddRange(["-o", env["ORDERER_ADDRESS"]!, "--tls", "--cafile", env["ORDERER_CA"]!, "--waitForEvent"]);
        var get = await CliRun.RunAsync(env, args);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("payload:\"yes\"", get.Stderr, StringComparison.Ordinal);

        up.Terminate();
        await up.WaitForExitAsync().WaitAsync(CliRun.Bound);
        Assert.Equal(0, up.ExitCode);
        foreach (var published in new[] { "devnet.env", "devnet.json", "devnet.owner" })
        {
            Assert.False(File.Exists(Path.Combine(dir, published)), $"{published} left behind after devnet up stopped");
        }
    }

    [Fact]
    public async Task A_run_that_waits_too_long_for_the_folder_exits_3_naming_the_owner_pid()
    {
        var dir = Path.Combine(_work, "held");
        await using var holder = await DevNetwork.StartAsync(new DevNetOptions { Directory = dir, OwnerDescription = "a test holding the folder" }).WaitAsync(CliRun.Bound);
        var env = new Dictionary<string, string?> { ["FABINVOKE_DEVNET_WAIT"] = "300ms" };
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        var invoke = await CliRun.RunAsync(env, ["chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", "--waitForEvent"]);
        var up = await CliRun.RunAsync(env, ["devnet", "up", "--dir", dir]);

        Assert.True(invoke.ExitCode == 3, invoke.ToString());
        invoke.AssertWellBehaved();
        Assert.Contains($"gave up after", invoke.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains($"owned by process {pid} (a test holding the folder)", invoke.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("FABINVOKE_DEVNET_WAIT", invoke.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains($"waiting up to 0.3s", invoke.Stderr, StringComparison.Ordinal);
        Assert.True(up.ExitCode == 3, up.ToString());
        Assert.Contains($"owned by process {pid}", Assert.Single(up.ErrorLines), StringComparison.Ordinal);
        Assert.Null(holder.EnvironmentFile);
        Assert.False(File.Exists(Path.Combine(dir, "devnet.env")));
    }
}
