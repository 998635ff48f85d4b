using System.Text.Json;
using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Batch;

/// <summary>
/// The journal's promise, end to end with real SIGKILLs: a batch killed at any point and run again with the same input
/// and journal until it exits 0 has applied every line exactly once (Incr of a unique key: every counter is 1).
/// </summary>
public sealed class BatchJournalTests : IClassFixture<NetworkFixture>, IDisposable
{
    private readonly NetworkFixture _net;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fabinvoke-batchj-" + Guid.NewGuid().ToString("N"));

    public BatchJournalTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Killed_with_SIGKILL_at_several_points_and_resumed_until_done_every_line_is_applied_exactly_once()
    {
        const int Lines = 240;
        var run = Guid.NewGuid().ToString("N")[..8];
        var input = Path.Combine(_dir, "incr.jsonl");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, Lines).Select(i => $$"""{"Args":["Incr","{{run}}-{{i}}"],"id":"{{i}}"}"""));
        var journal = Path.Combine(_dir, "incr.journal");
        var args = BatchTests.BatchArgs(_net, input, "--journal", journal, "--concurrency", "24");

        // Killed (SIGKILL) once 1, 30, 50 and 70 results beyond those of earlier runs were read; each run goes on from
        // the journal (a resumed run reports the lines done before as skipped, so the kill point counts them too).
        var kills = 0;
        var runs = 0;
        var done = new HashSet<int>();
        foreach (var after in new[] { 1, 30, 50, 70 })
        {
            using var process = FabinvokeProcess.Start(_dir, _net.UserEnvironment(), [.. args]);
            runs++;
            var wanted = done.Count + after;
            await process.WaitForStdoutLinesAsync(wanted).WaitAsync(CliRun.Bound);
            if (process.StdoutLines.Count < wanted)
            {
                // Finished before the kill point: it must have finished well.
                await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
                Assert.True(process.ExitCode == 0, $"run {runs} ended with exit {process.ExitCode} after {process.StdoutLines.Count} lines\n{process.Stderr}");
                break;
            }

            process.Kill();
            await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
            kills++;
            foreach (var r in BatchTests.Results(string.Join('\n', process.StdoutLines.Where(l => l.EndsWith('}')))))
            {
                if (r.GetProperty("status").GetString() == "VALID")
                {
                    done.Add(r.GetProperty("line").GetInt32());
                }
            }
        }

        Assert.True(kills >= 2, $"the batch was killed only {kills} times");
        CliOutcome last;
        do
        {
            last = await FabinvokeProcess.RunAsync(_dir, _net.UserEnvironment(), [.. args]);
            runs++;
            Assert.True(last.ExitCode == 0 || runs < 8, last.ToString());
        }
        while (last.ExitCode != 0);

        var results = BatchTests.Results(last.Stdout);
        Assert.Equal(Enumerable.Range(1, Lines), results.Select(r => r.GetProperty("line").GetInt32()).Order());
        Assert.All(results, r => Assert.Equal("VALID", r.GetProperty("status").GetString()));
        Assert.Contains(results, r => r.TryGetProperty("skipped", out var s) && s.GetString() == "journal");

        // Every counter read back: exactly 1 (none lost, none applied twice).
        var counters = await CounterValuesAsync(run, Lines);
        Assert.Equal(Enumerable.Repeat("1", Lines), counters);
    }

    /// <summary>Each key's value through a batch of Get queries would go through ordering; one query per key instead.</summary>
    private async Task<List<string>> CounterValuesAsync(string run, int lines)
    {
        var peer = _net.Network.Peers[1];
        var values = new List<string>();
        for (var i = 1; i <= lines; i++)
        {
            var outcome = await CliRun.RunAsync(_net.UserEnvironment(),
                ["chaincode", "query", "-C", _net.Network.ChannelId, "-n", "basic", "-c", $$"""{"Args":["Get","{{run}}-{{i}}"]}""",
                 "--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
            values.Add(outcome.ExitCode == 0 ? outcome.Stdout.TrimEnd('\n') : $"(line {i}: exit {outcome.ExitCode})");
        }

        return values;
    }
}

/// <summary>A network whose orderer cuts a block every 2 s (or 100 transactions): transactions endorsed together land in one block.</summary>
public sealed class SlowBlocksNetworkFixture : NetworkFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, BatchTimeout = TimeSpan.FromSeconds(2), BatchSize = 100 };
}

/// <summary>MVCC conflicts in a batch: reported as the validation code (exit 7); with --retry-invalid, endorsed again under a new txid.</summary>
public sealed class BatchConflictTests : IClassFixture<SlowBlocksNetworkFixture>, IDisposable
{
    private readonly SlowBlocksNetworkFixture _net;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fabinvoke-batchm-" + Guid.NewGuid().ToString("N"));

    public BatchConflictTests(SlowBlocksNetworkFixture net)
    {
        _net = net;
        _net.Heal();
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Incr_of_one_key_on_every_line_conflicts_exit_7_and_with_retry_invalid_every_line_commits_once()
    {
        const int Lines = 4;
        var run = Guid.NewGuid().ToString("N")[..8];
        var input = Path.Combine(_dir, "same.jsonl");
        await File.WriteAllLinesAsync(input, Enumerable.Repeat($$"""{"Args":["Incr","{{run}}-plain"]}""", Lines));

        var plain = await CliRun.RunAsync(_net.UserEnvironment(), BatchTests.BatchArgs(_net, input, "--concurrency", "4"));

        Assert.True(plain.ExitCode == 7, plain.ToString());
        var conflicted = BatchTests.Results(plain.Stdout).Where(r => r.GetProperty("status").GetString() == "MVCC_READ_CONFLICT").ToList();
        Assert.NotEmpty(conflicted);
        Assert.All(conflicted, r =>
        {
            Assert.Equal(7, r.GetProperty("exit_code").GetInt32());
            Assert.Equal("invalidated", r.GetProperty("error").GetProperty("kind").GetString());
            Assert.Equal("MVCC_READ_CONFLICT", r.GetProperty("error").GetProperty("validationCode").GetString());
        });

        var retried = Path.Combine(_dir, "retry.jsonl");
        await File.WriteAllLinesAsync(retried, Enumerable.Repeat($$"""{"Args":["Incr","{{run}}-retried"]}""", Lines));
        var journal = Path.Combine(_dir, "retry.journal");
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), BatchTests.BatchArgs(_net, retried, "--concurrency", "4", "--retry-invalid", "--journal", journal), bound: TimeSpan.FromSeconds(90));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var results = BatchTests.Results(outcome.Stdout);
        Assert.All(results, r => Assert.Equal("VALID", r.GetProperty("status").GetString()));
        Assert.Contains(results, r => r.GetProperty("attempts").GetInt32() > 1);
        var peer = _net.Network.Peers[0];
        var get = await CliRun.RunAsync(_net.UserEnvironment(),
            ["chaincode", "query", "-C", _net.Network.ChannelId, "-n", "basic", "-c", $$"""{"Args":["Get","{{run}}-retried"]}""", "--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        Assert.Equal($"{Lines}", get.Stdout.TrimEnd('\n'));

        // The journal names each new txid: one "sent" record per attempt, a result for each.
        var records = BatchTests.Results(await File.ReadAllTextAsync(journal));
        Assert.Equal(results.Sum(r => r.GetProperty("attempts").GetInt32()), records.Count(r => r.GetProperty("t").GetString() == "sent"));
        Assert.Equal(records.Count(r => r.GetProperty("t").GetString() == "sent"), records.Count(r => r.GetProperty("t").GetString() == "result"));
    }
}
