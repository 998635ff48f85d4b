using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>
/// The embedded network as a user meets it: <c>--devnet</c> on a fresh folder, <c>devnet up</c> in the foreground,
/// and state that survives the process — including one killed with SIGKILL and a torn block file.
/// Each test runs the fabinvoke program as separate OS processes.
/// </summary>
public sealed class DevNetCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("fabinvoke-devnet-").FullName;

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

    [Fact]
    public async Task README_run_command_commits_VALID_on_every_peer_and_a_second_process_reads_the_value_back()
    {
        var put = await FabinvokeProcess.RunAsync(_work, "chaincode", "invoke", "--devnet", "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Put","hello","world"]}""", "--waitForEvent");

        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Equal(2, put.Stderr.Split('\n').Count(l => l.Contains("committed with status (VALID) at 127.0.0.1:", StringComparison.Ordinal)));
        Assert.True(Directory.Exists(Path.Combine(_work, ".fabinvoke", "devnet", "organizations")), "crypto material in the default folder");

        var get = await FabinvokeProcess.RunAsync(_work, "chaincode", "invoke", "--devnet", "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Get","hello"]}""", "--waitForEvent");

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("Chaincode invoke successful. result: status:200 payload:\"world\"", get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devnet_says_in_one_INFO_line_which_exported_CORE_PEER_variables_it_replaces()
    {
        var env = new Dictionary<string, string?> { ["CORE_PEER_ADDRESS"] = "127.0.0.1:7051", ["CORE_PEER_LOCALMSPID"] = "ElsewhereMSP" };

        var put = await FabinvokeProcess.RunAsync(_work, env, "chaincode", "invoke", "--devnet", "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Put","hello","env"]}""", "--waitForEvent");

        Assert.True(put.ExitCode == 0, put.ToString());
        var notice = Assert.Single(put.Stderr.Split('\n'), l => l.Contains("not used: --devnet", StringComparison.Ordinal));
        Assert.Contains("INFO [chaincodeCmd] InitCmdFactory -> CORE_PEER_ADDRESS, CORE_PEER_LOCALMSPID not used: --devnet gives the peers, orderer and identity", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devnet_cannot_be_combined_with_explicit_peers()
    {
        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(),
            ["chaincode", "invoke", "--devnet", Path.Combine(_work, "net"), "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", "--peerAddresses", "127.0.0.1:7051"]);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains("--peerAddresses cannot be combined with --devnet", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devnet_up_serves_the_env_file_it_writes_and_its_ledger_survives_SIGKILL()
    {
        var dir = Path.Combine(_work, "up");
        using (var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir, "--batch-timeout", "50ms"))
        {
            await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);
            Assert.Contains("source " + Path.Combine(dir, "devnet.env"), up.Stdout, StringComparison.Ordinal);

            var env = ReadEnvFile(Path.Combine(dir, "devnet.env"));
            // The variables it exports are the settings table's, the ones the binder reads.
            Assert.All(env.Keys.Where(k => k.StartsWith("CORE_PEER_", StringComparison.Ordinal)),
                k => Assert.Contains(FabricInvoke.Cli.Settings.InvokeSettingsTable.All, s => s.Env == k));
            var args = new List<string> { "chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","durable","yes"]}""" };
            args.AddRange(env["FABINVOKE_PEERS"]!.Split(' '));
            args.AddRange(["-o", env["ORDERER_ADDRESS"]!, "--tls", "--cafile", env["ORDERER_CA"]!, "--waitForEvent"]);

            var put = await CliRun.RunAsync(env, args);
            Assert.True(put.ExitCode == 0, put.ToString());

            up.Kill();
            await up.WaitForExitAsync().WaitAsync(CliRun.Bound);
        }

        var get = await FabinvokeProcess.RunAsync(_work, "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Get","durable"]}""", "--waitForEvent");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("payload:\"yes\"", get.Stderr, StringComparison.Ordinal);

        // The killed owner could not remove what it published; the next owner of the folder did.
        Assert.False(File.Exists(Path.Combine(dir, "devnet.env")), "devnet.env of a killed devnet up still points at its dead ports");
        Assert.False(File.Exists(Path.Combine(dir, "devnet.json")));
    }

    [Theory]
    [InlineData("SIGINT")]
    [InlineData("SIGTERM")]
    public async Task Devnet_up_stops_cleanly_on_Ctrl_C_or_SIGTERM(string signal)
    {
        using var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", Path.Combine(_work, "stop-" + signal));
        await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);

        if (signal == "SIGINT")
        {
            up.Interrupt();
        }
        else
        {
            up.Terminate();
        }

        await up.WaitForExitAsync().WaitAsync(CliRun.Bound);

        Assert.Equal(0, up.ExitCode);
        Assert.Contains("devnet stopped", up.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_torn_last_block_record_is_cut_on_restart_and_never_served()
    {
        var dir = Path.Combine(_work, "torn");
        string peerFile;
        ulong heightBefore;
        await using (var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = dir }).WaitAsync(CliRun.Bound))
        {
            var fixture = new StartedNetwork(network);
            var put = await CliRun.RunAsync(fixture.UserEnvironment(), fixture.InvokeArgs("""{"Args":["Put","torn","before"]}"""));
            Assert.True(put.ExitCode == 0, put.ToString());
            heightBefore = network.Peers[0].Height;
            peerFile = Directory.GetFiles(Path.Combine(dir, "ledger"), "blocks.bin", SearchOption.AllDirectories)
                .Single(f => f.Contains(network.Peers[0].Name, StringComparison.Ordinal));
        }

        // Simulate a crash in the middle of appending the last block: its record loses its tail.
        using (var file = new FileStream(peerFile, FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(file.Length - 17);
        }

        await using (var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = dir }).WaitAsync(CliRun.Bound))
        {
            var fixture = new StartedNetwork(network);

            // The peer recovered to its last complete block and caught up again from the orderer.
            Assert.Equal(network.Orderer.Height, network.Peers[0].Height);
            Assert.True(network.Peers[0].Height >= heightBefore);

            var get = await CliRun.RunAsync(fixture.UserEnvironment(), fixture.InvokeArgs("""{"Args":["Get","torn"]}"""));
            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.Contains("payload:\"before\"", get.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Devnet_up_on_a_port_already_in_use_exits_3_naming_the_folder_and_the_cause()
    {
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;

        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), ["devnet", "up", "--dir", Path.Combine(_work, "busy"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains("cannot start the embedded network", error, StringComparison.Ordinal);
        // The orderer (port) and both peers (port+1, port+2) bind in parallel; ports chosen by other tests' servers may
        // take port+1 or port+2 meanwhile, so the first refusal may name either. One of them must be named.
        Assert.True(Enumerable.Range(port, 3).Any(p => error.Contains(p.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)), error);
    }

    /// <summary>The exports of devnet.env, unquoted as a POSIX shell would (every value is single-quoted).</summary>
    internal static Dictionary<string, string?> ReadEnvFile(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(kv => kv[0], kv => (string?)Unquote(kv[1]));

    private static string Unquote(string value)
    {
        Assert.True(value.Length >= 2 && value[0] == '\'' && value[^1] == '\'', $"not single-quoted: {value}");
        return value[1..^1].Replace("'\\''", "'", StringComparison.Ordinal);
    }
}
