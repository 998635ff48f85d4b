using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FabricInvoke.Core;
using FabricInvoke.Core.Identity;
using FabricInvoke.RealFabric.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>
/// <c>chaincode invoke --batch FILE --journal J</c> on a real Fabric 2.4.9 network (issue 24 item 4): 2,000 lines
/// <c>Incr &lt;key i&gt;</c> (a counter per line, each key its own), the job SIGKILLed at random moments and started
/// again with the same input and journal until a run exits 0 on its own. Then every counter reads back exactly 1 on
/// both peers (0 lost, 0 applied twice), the last run's results name every line exactly once, and no line was ever
/// reported VALID under two txids. The kill moments follow the job's own progress, never a clock: after a random number
/// of result lines of that run, or once the journal has grown by a random number of bytes (transactions journalled and
/// being broadcast, none of that run's committed yet). The seed is in every failure message
/// (<c>FABINVOKE_BATCH_RESUME_SEED</c> replays one).
/// </summary>
[Collection("fabric-2.4.9")]
public sealed class BatchResumeTests(Fabric249 network, ITestOutputHelper testOutput) : IDisposable
{
    private const int Lines = 2000;
    private const int MaxKills = 5;
    private static readonly TimeSpan RunBound = TimeSpan.FromSeconds(120);

    private readonly string _folder = Directory.CreateTempSubdirectory("fabinvoke-batch-resume-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [RealFabricFact]
    public async Task Killed_at_random_moments_and_resumed_with_its_journal_every_line_commits_exactly_once()
    {
        var seed = Environment.GetEnvironmentVariable("FABINVOKE_BATCH_RESUME_SEED") is { Length: > 0 } s
            ? int.Parse(s, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var random = new Random(seed);
        var prefix = $"resume-{Guid.NewGuid():N}"[..19];
        var keys = Enumerable.Range(1, Lines).Select(i => $"{prefix}-{i:0000}").ToList();
        var input = Path.Combine(_folder, "incr.jsonl");
        var journal = Path.Combine(_folder, "incr.journal");
        await File.WriteAllLinesAsync(input, keys.Select(k => $$"""{"Args":["Incr","{{k}}"]}"""));
        List<string> args =
        [
            ProcessRun.FabinvokeDll, "chaincode", "invoke", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode,
            "-o", network.OrdererAddress, "--tls", "--cafile", network.OrdererCa,
            "--peerAddresses", network.Org1PeerAddress, "--tlsRootCertFiles", network.Org1PeerCa,
            "--peerAddresses", network.Org2PeerAddress, "--tlsRootCertFiles", network.Org2PeerCa,
            "--waitForEvent", "--batch", input, "--journal", journal,
        ];

        var runs = 0;
        var kills = 0;
        var log = new StringBuilder();
        var reported = new List<(int Run, JsonElement Result)>();
        string Context() => $"seed {seed}, keys {prefix}-0001..{Lines:0000}, {runs} runs, {kills} kills\n{log}";
        List<JsonElement> last;
        while (true)
        {
            runs++;
            Assert.True(runs <= MaxKills + 3, $"no run finished the batch on its own; {Context()}");

            // Kill after K lines committed by this run (lines skipped as committed earlier do not count), K at most a third of
            // what is left, or once the journal has grown by B bytes; after MaxKills the run is left to finish.
            var left = Lines - reported.Where(r => r.Result.GetProperty("status").GetString() == "VALID").Select(r => r.Result.GetProperty("line").GetInt64()).Distinct().Count();
            var byJournal = kills < MaxKills && random.Next(3) == 0;
            var afterResults = kills < MaxKills && !byJournal ? random.Next(1, Math.Max(2, left / 3)) : int.MaxValue;
            var journalBefore = Length(journal);
            var journalAt = byJournal ? journalBefore + random.Next(1, 60_000) : long.MaxValue;
            var runTime = Stopwatch.StartNew();
            // Counted: result lines of lines this run sent (not those it skipped as committed by an earlier run).
            using var job = KillableRun.Start(args, network.Env, counts: line => !IsSkipped(line));
            var killed = await job.KillWhenAsync(
                () => job.Counted >= afterResults || Length(journal) >= journalAt,
                RunBound,
                () => $"run {runs}: {job.Counted} results, journal {Length(journal)} bytes after {RunBound.TotalSeconds}s; {Context()}\n{job.Stderr}");
            await job.Exited.WaitAsync(RunBound);
            var results = Parse(job.Lines, killed);
            reported.AddRange(results.Select(r => (runs, r)));
            var trigger = byJournal ? $"journal +{journalAt - journalBefore} B" : afterResults == int.MaxValue ? "none" : $"{afterResults} results";
            log.Append(CultureInfo.InvariantCulture,
                $"run {runs}: kill at {trigger}; {results.Count} results ({results.Count(r => r.TryGetProperty("skipped", out var k) && k.ValueKind == JsonValueKind.String)} skipped), journal {journalBefore} -> {Length(journal)} B, {(killed ? "killed" : $"exit {job.ExitCode}")} after {runTime.Elapsed.TotalSeconds:0.0}s\n");
            if (!killed)
            {
                Assert.True(job.ExitCode == 0, $"run {runs} ended with exit {job.ExitCode}; {Context()}\n{job.Stderr}");
                Assert.Matches(@$"batch: {Lines} lines, \d+ valid, 0 failed, \d+ skipped, ", job.Stderr.TrimEnd('\n').Split('\n')[^1]);
                last = results;
                break;
            }

            kills++;
        }

        testOutput.WriteLine(Context());
        Assert.True(kills >= 3, $"only {kills} runs were killed: the test did not exercise resuming; {Context()}");

        // The last run reports every line exactly once, each VALID (committed now, or skipped as committed by an earlier run).
        var lines = last.Select(r => r.GetProperty("line").GetInt64()).Order().ToList();
        Assert.True(lines.SequenceEqual(Enumerable.Range(1, Lines).Select(i => (long)i)),
            $"the last run reported {lines.Count} results for {lines.Distinct().Count()} distinct lines (expected 1..{Lines} once each); {Context()}");
        var notValid = last.Where(r => r.GetProperty("status").GetString() != "VALID").ToList();
        Assert.True(notValid.Count == 0, $"{notValid.Count} lines not VALID, first: {notValid.FirstOrDefault()}; {Context()}");
        Assert.True(last.Any(r => r.TryGetProperty("skipped", out var k) && k.GetString() == "journal"),
            $"the last run skipped no line as already VALID: nothing was resumed; {Context()}");

        // No line was ever reported VALID under two txids, over every run (the killed ones' results included).
        var twice = reported.Where(r => r.Result.GetProperty("status").GetString() == "VALID")
            .GroupBy(r => r.Result.GetProperty("line").GetInt64())
            .Where(g => g.Select(r => r.Result.GetProperty("txid").GetString()).Distinct().Count() > 1)
            .Select(g => $"line {g.Key}: {string.Join(", ", g.Select(r => $"run {r.Run} {r.Result.GetProperty("txid").GetString()}"))}")
            .ToList();
        Assert.True(twice.Count == 0, $"lines committed under two txids:\n{string.Join('\n', twice.Take(10))}\n{Context()}");

        // Every counter is exactly 1 on both peers: no line lost (0, "does not exist"), none applied twice (2 or more).
        foreach (var org in new[] { 1, 2 })
        {
            var readTime = Stopwatch.StartNew();
            var values = await ReadCounters(org, keys);
            var wrong = values.Where(v => v.Value != "1").OrderBy(v => v.Key, StringComparer.Ordinal).ToList();
            Assert.True(wrong.Count == 0,
                $"{wrong.Count} of {Lines} counters are not 1 on {network.PeerAddress(org)}: {string.Join(", ", wrong.Take(10).Select(w => $"{w.Key}={w.Value}"))}; {Context()}");
            testOutput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Lines} counters read back from {network.PeerAddress(org)} in {readTime.Elapsed.TotalSeconds:0.0}s"));
        }

        // The same read by the Go CLI for a few keys.
        foreach (var key in keys.OrderBy(_ => random.Next()).Take(3))
        {
            Assert.Equal("1", await network.Query(key));
        }
    }

    /// <summary>
    /// A batch with a malformed line exits 2 (usage) before anything is sent, naming the line on one <c>Error:</c> line, as
    /// a single invoke given the same text as <c>-c</c> exits 2; the good lines around it are not committed.
    /// </summary>
    [RealFabricFact]
    public async Task A_malformed_line_exits_2_naming_its_line_and_nothing_is_sent()
    {
        var prefix = $"malformed-{Guid.NewGuid():N}"[..22];
        const string Torn = """{"Args":["Put","torn","v"]""";
        var input = Path.Combine(_folder, "malformed.jsonl");
        await File.WriteAllLinesAsync(input,
            [$$"""{"Args":["Put","{{prefix}}-1","v"]}""", "", $$"""{"Args":["Put","{{prefix}}-3","v"]}""", Torn, $$"""{"Args":["Put","{{prefix}}-5","v"]}"""]);
        List<string> common =
        [
            "chaincode", "invoke", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "-o", network.OrdererAddress, "--tls", "--cafile", network.OrdererCa,
            "--peerAddresses", network.Org1PeerAddress, "--tlsRootCertFiles", network.Org1PeerCa,
            "--peerAddresses", network.Org2PeerAddress, "--tlsRootCertFiles", network.Org2PeerCa, "--waitForEvent",
        ];

        var batch = await network.Fabinvoke([.. common, "--batch", input]);
        Assert.True(batch.ExitCode == 2, $"expected exit 2 (usage)\n{batch}");
        var errors = batch.Stderr.Split('\n').Where(l => l.StartsWith("Error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Contains("line 4", StringComparison.Ordinal) && errors[0].Contains("malformed.jsonl", StringComparison.Ordinal),
            $"expected one Error: line naming malformed.jsonl and line 4\n{batch}");
        Assert.DoesNotContain("   at ", batch.Stderr, StringComparison.Ordinal);

        var single = await network.Fabinvoke([.. common, "-c", Torn]);
        Assert.True(single.ExitCode == 2, $"a single invoke with the same text as -c: expected exit 2\n{single}");

        foreach (var line in new[] { 1, 3, 5 })
        {
            Assert.Null(await network.Query($"{prefix}-{line}"));
        }
    }

    /// <summary>Every key's value as Org N's peer evaluates <c>Get key</c> (the library, one connection, 32 at once); "absent" when it does not exist.</summary>
    private async Task<IDictionary<string, string>> ReadCounters(int org, IReadOnlyList<string> keys)
    {
        var signer = Signers.FromMspFolder(network.IdentityMsp(1), "Org1MSP");
        using var key = signer as IDisposable;
        await using var client = FabricClient.Create(new FabricClientOptions
        {
            Identity = ClientIdentity.FromMspFolder(network.IdentityMsp(1), "Org1MSP"),
            Signer = signer,
            Peers = [new FabricEndpoint { Address = network.PeerAddress(org), TlsRootCertificateFile = network.PeerCa(org) }],
        });
        var contract = client.GetNetwork(RealNetwork.ChannelId).GetContract(RealNetwork.Chaincode);
        var values = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (key, ct) =>
        {
            try
            {
                values[key] = Encoding.UTF8.GetString(await contract.EvaluateAsync("Get", [key], ct));
            }
            catch (EndorseException e) when (e.Message.Contains("does not exist", StringComparison.Ordinal))
            {
                values[key] = "absent";
            }
        });
        return values;
    }

    /// <summary>The result lines as JSON; a killed run's last line may be torn (cut by the SIGKILL) and is then left out.</summary>
    private static List<JsonElement> Parse(IReadOnlyList<string> lines, bool killed)
    {
        var parsed = new List<JsonElement>();
        for (var i = 0; i < lines.Count; i++)
        {
            try
            {
                using var doc = JsonDocument.Parse(lines[i]);
                parsed.Add(doc.RootElement.Clone());
            }
            catch (JsonException) when (killed && i == lines.Count - 1)
            {
                // Torn by the kill.
            }
        }

        return parsed;
    }

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static bool IsSkipped(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("skipped", out var skipped) && skipped.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false; // a torn last line
        }
    }
}
