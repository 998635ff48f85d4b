using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Events;

/// <summary>
/// A checkpoint is bound to the stream that wrote it (issue 22, D4 and D20): command, channel, chaincode and event
/// names, path (Gateway or blocks) and the chain (its genesis block). Reused for another stream or chain, or beyond
/// the chain's height, it is refused with exit 3 saying what differs — before anything is printed, although events
/// are there to print. A checkpoint in use by another run, one that is a directory or in a missing folder is refused
/// before the first event. An old-format checkpoint is accepted with one warning and rewritten.
/// </summary>
public sealed class CheckpointBindingTests : IClassFixture<NetworkFixture>, IDisposable
{
    private readonly NetworkFixture _net;
    private readonly string _folder = Directory.CreateTempSubdirectory("fabinvoke-binding-").FullName;

    public CheckpointBindingTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private List<string> Args(string command, string checkpoint, params string[] extra)
    {
        var args = new List<string> { "events", command, "-C", _net.Network.ChannelId, "--start", "oldest", "--checkpoint", checkpoint };
        if (command == "chaincode")
        {
            args.AddRange(["-n", "basic"]);
        }

        args.AddRange(["--peerAddresses", _net.Network.Peers[0].Address, "--tlsRootCertFiles", _net.Network.Peers[0].TlsRootCertFile]);
        args.AddRange(extra);
        return args;
    }

    private async Task PutAsync(string key)
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs($"{{\"Args\":[\"Put\",\"{key}\",\"v\"]}}"));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
    }

    /// <summary>Writes a checkpoint with one event of events chaincode (through the gateway when asked).</summary>
    private async Task<string> FirstCheckpointAsync(string name, string command = "chaincode", bool gateway = false)
    {
        await PutAsync(name);
        var checkpoint = Path.Combine(_folder, name);
        var extra = gateway ? new[] { "--gateway", "--count", "1" } : ["--count", "1"];
        var first = await CliRun.RunAsync(_net.UserEnvironment(), Args(command, checkpoint, extra));
        Assert.True(first.ExitCode == 0, first.ToString());
        return checkpoint;
    }

    private static void AssertRefused(CliOutcome outcome, string checkpoint, params string[] saying)
    {
        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.True(outcome.Stdout.Length == 0, "printed before refusing\n" + outcome);
        var error = outcome.ErrorLines[0];
        Assert.Contains(checkpoint, error, StringComparison.Ordinal);
        foreach (var s in saying)
        {
            Assert.Contains(s, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_gateway_checkpoint_resumed_without_gateway_is_refused_naming_the_path()
    {
        var checkpoint = await FirstCheckpointAsync("bind-gw", gateway: true);
        var before = File.ReadAllText(checkpoint);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", checkpoint));

        AssertRefused(outcome, checkpoint, "belongs to another stream", "path: checkpoint 'gateway', this run 'deliver'");
        Assert.Equal(before, File.ReadAllText(checkpoint));
    }

    [Fact]
    public async Task A_blocks_checkpoint_reused_by_events_chaincode_is_refused_naming_the_command()
    {
        var checkpoint = await FirstCheckpointAsync("bind-blocks", command: "blocks");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", checkpoint));

        AssertRefused(outcome, checkpoint, "command: checkpoint 'events blocks', this run 'events chaincode'");
    }

    [Fact]
    public async Task Another_event_filter_is_refused_naming_the_event_names()
    {
        var checkpoint = await FirstCheckpointAsync("bind-filter");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", checkpoint, "--event", "Put"));

        AssertRefused(outcome, checkpoint, "event names: checkpoint '(all)', this run 'Put'");
    }

    [Fact]
    public async Task A_checkpoint_of_another_chain_is_refused_naming_both_genesis_hashes()
    {
        var checkpoint = await FirstCheckpointAsync("bind-chain");
        var json = JsonNode.Parse(File.ReadAllText(checkpoint))!;
        var genesis = json["genesis"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{64}$", genesis);

        // What a reset network looks like from here: the same channel name, another genesis block.
        json["genesis"] = new string('0', 64);
        File.WriteAllText(checkpoint, json.ToJsonString());
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", checkpoint));

        AssertRefused(outcome, checkpoint, "belongs to another chain", new string('0', 64), genesis);
    }

    [Fact]
    public async Task A_checkpoint_beyond_the_chains_height_is_refused_not_waited_on()
    {
        var checkpoint = await FirstCheckpointAsync("bind-height");
        var json = JsonNode.Parse(File.ReadAllText(checkpoint))!;
        var height = _net.Network.Peers[0].Height;
        json["block"] = height + 10;
        File.WriteAllText(checkpoint, json.ToJsonString());

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", checkpoint));

        AssertRefused(outcome, checkpoint, $"the checkpoint is at block {height + 10} but peer {_net.Network.Peers[0].Address} has");
    }

    [Fact]
    public async Task A_second_run_on_a_checkpoint_in_use_is_refused_naming_the_file()
    {
        var checkpoint = await FirstCheckpointAsync("bind-lock");
        await PutAsync("bind-lock-2");
        using var running = FabinvokeProcess.Start(_folder, _net.UserEnvironment(), [.. Args("chaincode", checkpoint)]);
        await running.WaitForStdoutLinesAsync(1).WaitAsync(CliRun.Bound);
        Assert.True(running.StdoutLines.Count == 1, running.Stderr);

        var second = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", checkpoint));

        AssertRefused(second, checkpoint, "in use by another running fabinvoke events", checkpoint + ".lock");
    }

    [Fact]
    public async Task A_checkpoint_that_is_a_directory_or_in_a_missing_folder_is_refused_before_the_first_event()
    {
        await PutAsync("bind-dir");
        var directory = Directory.CreateDirectory(Path.Combine(_folder, "a-directory")).FullName;
        var missing = Path.Combine(_folder, "no-such-folder", "c.ckpt");

        var asDirectory = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", directory));
        var inMissing = await CliRun.RunAsync(_net.UserEnvironment(), Args("blocks", missing));

        AssertRefused(asDirectory, directory, "is a directory");
        AssertRefused(inMissing, missing, "does not exist");
    }

    [Fact]
    public async Task An_old_format_checkpoint_is_accepted_with_one_warning_and_rewritten_with_its_stream()
    {
        await PutAsync("bind-old-a");
        var first = _net.Network.Peers[0].Height - 1;
        await PutAsync("bind-old-b");
        var checkpoint = Path.Combine(_folder, "old.ckpt");
        var events = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", Path.Combine(_folder, "scratch.ckpt"), "--output", "json", "--until-block", (first + 1).ToString(CultureInfo.InvariantCulture)));
        Assert.True(events.ExitCode == 0, events.ToString());
        var a = events.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).Single(l => l["payload"]!.GetValue<string>() == "bind-old-a");

        // What the previous release wrote after event a.
        File.WriteAllText(checkpoint, $"{{\"block\":{a["block"]},\"txIndex\":{a["txIndex"]},\"txid\":\"{a["txid"]}\"}}\n");
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", checkpoint, "--output", "json", "--count", "1"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("bind-old-b", JsonNode.Parse(outcome.Stdout)!["payload"]!.GetValue<string>());
        var warning = Assert.Single(outcome.StderrLines);
        Assert.Contains($"checkpoint {checkpoint} has the old format", warning, StringComparison.Ordinal);
        using var rewritten = JsonDocument.Parse(File.ReadAllText(checkpoint));
        Assert.Equal("events chaincode", rewritten.RootElement.GetProperty("command").GetString());
    }
}
