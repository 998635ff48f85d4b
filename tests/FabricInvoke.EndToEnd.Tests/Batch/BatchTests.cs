using System.Text.Json;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Batch;

/// <summary>
/// <c>chaincode invoke --batch</c> end to end: the real CLI over TLS against a 2-org DevNet, results as JSON Lines on
/// stdout, the summary last on stderr, the exit code of the worst line.
/// </summary>
public sealed class BatchTests : IClassFixture<NetworkFixture>, IDisposable
{
    private readonly NetworkFixture _net;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fabinvoke-batch-" + Guid.NewGuid().ToString("N"));

    public BatchTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The batch command line: every peer, the orderer, TLS; the input file and extra flags.</summary>
    internal static List<string> BatchArgs(NetworkFixture net, string input, params string[] extra)
    {
        var args = new List<string> { "chaincode", "invoke", "-C", net.Network.ChannelId, "-n", "basic", "--batch", input };
        foreach (var peer in net.Network.Peers)
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        args.AddRange(["-o", net.Network.Orderer.Address, "--tls", "--cafile", net.Network.Orderer.TlsRootCertFile, "--waitForEventTimeout", "30s"]);
        args.AddRange(extra);
        return args;
    }

    internal static List<JsonElement> Results(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return doc.RootElement.Clone();
        }).ToList();

    private string Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private async Task<string?> QueryAsync(string key)
    {
        var args = new List<string> { "chaincode", "query", "-C", _net.Network.ChannelId, "-n", "basic", "-c", $$"""{"Args":["Get","{{key}}"]}""" };
        var peer = _net.Network.Peers[0];
        args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);
        return outcome.ExitCode == 0 ? outcome.Stdout.TrimEnd('\n') : null;
    }

    [Fact]
    public async Task Every_line_is_committed_VALID_and_reported_once_as_a_JSON_line_with_its_txid_block_and_peers()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var input = Write("puts.jsonl", Enumerable.Range(1, 40).Select(i => $$"""{"Args":["Put","{{run}}-k{{i}}","v{{i}}"],"id":"row-{{i}}"}"""));

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), BatchArgs(_net, input, "--concurrency", "8"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        outcome.AssertWellBehaved();
        var results = Results(outcome.Stdout);
        Assert.Equal(Enumerable.Range(1, 40), results.Select(r => r.GetProperty("line").GetInt32()).Order());
        Assert.All(results, r =>
        {
            Assert.Equal("VALID", r.GetProperty("status").GetString());
            Assert.Equal($"row-{r.GetProperty("line").GetInt32()}", r.GetProperty("id").GetString());
            Assert.Matches("^[0-9a-f]{64}$", r.GetProperty("txid").GetString());
            Assert.True(r.GetProperty("block").GetUInt64() > 0);
            Assert.Equal(_net.Network.Peers.Select(p => p.Address).Order(), r.GetProperty("peers").EnumerateObject().Select(p => p.Name).Order());
            Assert.All(r.GetProperty("peers").EnumerateObject(), p => Assert.Equal("VALID", p.Value.GetString()));
            Assert.False(r.TryGetProperty("error", out _));
        });
        Assert.Equal(40, results.Select(r => r.GetProperty("txid").GetString()).Distinct().Count());
        Assert.Matches(@"^batch: 40 lines, 40 valid, 0 failed, 0 skipped, [0-9.]+ tx/s in [0-9.]+s$", outcome.StderrLines[^1]);
        Assert.Equal("v17", await QueryAsync($"{run}-k17"));
    }

    [Fact]
    public async Task Through_the_gateway_every_line_commits_VALID_as_the_gateway_peer_reports_it()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var input = Write("gw.jsonl", Enumerable.Range(1, 12).Select(i => $$"""{"Function":"Put","Args":["{{run}}-g{{i}}","x"]}"""));
        var args = BatchArgs(_net, input, "--gateway");
        var o = args.IndexOf("-o");
        args.RemoveRange(o, 5); // -o ADDR --tls --cafile FILE: the gateway orders

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var results = Results(outcome.Stdout);
        Assert.Equal(12, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal("VALID", r.GetProperty("status").GetString());
            Assert.Equal([_net.Network.Peers[0].Address], r.GetProperty("peers").EnumerateObject().Select(p => p.Name));
        });
        Assert.Equal("x", await QueryAsync($"{run}-g12"));
    }

    [Fact]
    public async Task A_malformed_line_is_named_with_its_line_number_and_nothing_is_sent_exit_2()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var input = Write("bad.jsonl", [$$"""{"Args":["Put","{{run}}-a","1"]}""", "", """{"Args":["Put","b",2]}""", $$"""{"Args":["Put","{{run}}-c","3"]}"""]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), BatchArgs(_net, input));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains($"--batch {input} line 3: ", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("nothing was sent", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal("", outcome.Stdout);
        Assert.Null(await QueryAsync($"{run}-a"));
        Assert.Null(await QueryAsync($"{run}-c"));
    }

    [Fact]
    public async Task With_skip_invalid_lines_a_malformed_line_is_reported_and_the_others_commit_exit_2()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var input = Write("skip.jsonl", [$$"""{"Args":["Put","{{run}}-a","1"]}""", "not json", $$"""{"Args":["Put","{{run}}-c","3"]}"""]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), BatchArgs(_net, input, "--skip-invalid-lines"));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains("1 of 3 lines failed; the worst, line 2: ", outcome.ErrorLines[0], StringComparison.Ordinal);
        var results = Results(outcome.Stdout).ToDictionary(r => r.GetProperty("line").GetInt32());
        Assert.Equal([1, 2, 3], results.Keys.Order());
        Assert.Equal("VALID", results[1].GetProperty("status").GetString());
        Assert.Equal("VALID", results[3].GetProperty("status").GetString());
        var bad = results[2];
        Assert.Equal("FAILED", bad.GetProperty("status").GetString());
        Assert.Equal("invalid", bad.GetProperty("skipped").GetString());
        Assert.Equal(2, bad.GetProperty("exit_code").GetInt32());
        Assert.Equal("usage", bad.GetProperty("error").GetProperty("kind").GetString());
        Assert.Contains("line 2", bad.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("3", await QueryAsync($"{run}-c"));
    }

    [Fact]
    public async Task A_failing_line_gets_the_error_object_and_class_of_a_single_invoke_and_sets_the_exit_code()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var input = Write("fail.jsonl", [$$"""{"Args":["Put","{{run}}-a","1"]}""", """{"Args":["Fail","no such asset"]}""", $$"""{"Args":["Put","{{run}}-b","2"]}"""]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), BatchArgs(_net, input));
        var single = await CliRun.RunAsync(_net.UserEnvironment(), [.. _net.InvokeArgs("""{"Args":["Fail","no such asset"]}"""), "--output", "json"]);

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        outcome.AssertWellBehaved();
        var results = Results(outcome.Stdout).ToDictionary(r => r.GetProperty("line").GetInt32());
        Assert.Equal("VALID", results[1].GetProperty("status").GetString());
        Assert.Equal("VALID", results[3].GetProperty("status").GetString());
        var failed = results[2];
        Assert.Equal("FAILED", failed.GetProperty("status").GetString());
        Assert.Equal(5, failed.GetProperty("exit_code").GetInt32());
        var error = failed.GetProperty("error");
        var singleError = JsonOutput.Single(single).GetProperty("error");
        Assert.Equal(singleError.GetProperty("kind").GetString(), error.GetProperty("kind").GetString());
        Assert.Equal(singleError.GetProperty("exitCode").GetInt32(), error.GetProperty("exitCode").GetInt32());
        Assert.Equal(singleError.GetProperty("chaincodeStatus").GetInt32(), error.GetProperty("chaincodeStatus").GetInt32());
        Assert.Equal(Normalized(singleError.GetProperty("message").GetString()!), Normalized(error.GetProperty("message").GetString()!));
        Assert.Contains("no such asset", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"^batch: 3 lines, 2 valid, 1 failed, 0 skipped, ", outcome.StderrLines[^1]);
    }

    /// <summary>A message with its txid and peer addresses replaced (which peer answers first varies).</summary>
    private string Normalized(string message)
    {
        message = System.Text.RegularExpressions.Regex.Replace(message, "[0-9a-f]{64}", "TXID");
        foreach (var peer in _net.Network.Peers)
        {
            message = message.Replace(peer.Address, "PEER", StringComparison.Ordinal);
        }

        return message;
    }

    [Fact]
    public async Task Lines_read_from_stdin_are_submitted_like_a_file()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        using var process = FabinvokeProcess.Start(_dir, _net.UserEnvironment(), [.. BatchArgs(_net, "-")]);
        foreach (var i in Enumerable.Range(1, 5))
        {
            await process.StandardInput.WriteLineAsync($$"""{"Args":["Put","{{run}}-s{{i}}","{{i}}"]}""");
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(CliRun.Bound);

        Assert.True(process.ExitCode == 0, process.Stderr);
        Assert.Equal(5, Results(process.Stdout).Count(r => r.GetProperty("status").GetString() == "VALID"));
        Assert.Equal("4", await QueryAsync($"{run}-s4"));
    }

    [Fact]
    public async Task A_journal_written_for_other_input_is_refused_exit_3()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var journal = Path.Combine(_dir, "journal.jsonl");
        var first = Write("one.jsonl", [$$"""{"Args":["Put","{{run}}-j","1"]}"""]);
        var ok = await CliRun.RunAsync(_net.UserEnvironment(), BatchArgs(_net, first, "--journal", journal));
        Assert.True(ok.ExitCode == 0, ok.ToString());
        var other = Write("two.jsonl", [$$"""{"Args":["Put","{{run}}-j","2"]}"""]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), BatchArgs(_net, other, "--journal", journal));

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains("the input changed since the batch journal was written", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains(journal, outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal("1", await QueryAsync($"{run}-j"));
    }

    [Fact]
    public async Task Run_again_with_its_journal_a_finished_batch_sends_nothing_and_reports_every_line_skipped()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var journal = Path.Combine(_dir, "done.journal");
        var input = Write("incr.jsonl", Enumerable.Range(1, 6).Select(i => $$"""{"Args":["Incr","{{run}}-i{{i}}"]}"""));
        var first = await CliRun.RunAsync(_net.UserEnvironment(), BatchArgs(_net, input, "--journal", journal));
        Assert.True(first.ExitCode == 0, first.ToString());

        var again = await CliRun.RunAsync(_net.UserEnvironment(), BatchArgs(_net, input, "--journal", journal));

        Assert.True(again.ExitCode == 0, again.ToString());
        var before = Results(first.Stdout).ToDictionary(r => r.GetProperty("line").GetInt32(), r => r.GetProperty("txid").GetString());
        var results = Results(again.Stdout);
        Assert.Equal(6, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal("journal", r.GetProperty("skipped").GetString());
            Assert.Equal(before[r.GetProperty("line").GetInt32()], r.GetProperty("txid").GetString());
        });
        Assert.Matches(@"^batch: 6 lines, 0 valid, 0 failed, 6 skipped, ", again.StderrLines[^1]);
        Assert.Equal("1", await QueryAsync($"{run}-i3"));
    }
}
