using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FabricInvoke.RealFabric.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>
/// <c>events chaincode --checkpoint C --output-file F</c> is exactly once on a real Fabric 2.4.9 network (issue 21):
/// 200 Puts committed by the Go CLI, then a job following them SIGKILLed whenever F has grown past a random size and
/// restarted each time, until a run reaches the last block on its own. F then holds each of the 200 events exactly
/// once, in ledger order, and its length is what the checkpoint records. The DevNet version is the EndToEnd tier's
/// Events/OutputFileTests.cs. The seed of the kill points is in every failure message
/// (<c>FABINVOKE_EXACTLY_ONCE_SEED</c> replays one).
/// </summary>
[Collection("fabric-2.4.9")]
public sealed partial class EventsExactlyOnceTests(Fabric249 network, ITestOutputHelper testOutput) : IDisposable
{
    private const int Events = 200;
    private const int Concurrency = 8;
    private const int MaxKills = 12;
    private static readonly TimeSpan RunBound = TimeSpan.FromSeconds(60);

    private readonly string _folder = Directory.CreateTempSubdirectory("fabinvoke-exactly-once-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [RealFabricFact]
    public async Task Killed_at_random_points_and_restarted_the_output_file_holds_every_event_exactly_once()
    {
        var seed = Environment.GetEnvironmentVariable("FABINVOKE_EXACTLY_ONCE_SEED") is { Length: > 0 } s
            ? int.Parse(s, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var random = new Random(seed);
        var prefix = $"exactly-once-{Guid.NewGuid():N}"[..21];
        var keys = Enumerable.Range(0, Events).Select(i => $"{prefix}-{i:000}").ToList();

        // The last block before the first Put, then the 200 Puts (8 at once, each committed VALID on both peers).
        var start = await Height() - 1;
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (key, _) =>
        {
            var put = await network.PeerCli([.. network.InvokeArgs($$"""{"Args":["Put","{{key}}","v"]}""")]);
            Assert.True(put.ExitCode == 0 && put.Stderr.Contains("committed with status (VALID)", StringComparison.Ordinal), $"Put {key}\n{put}");
        });
        var last = await Height() - 1;

        var checkpoint = Path.Combine(_folder, "events.ckpt");
        var output = Path.Combine(_folder, "events.jsonl");
        List<string> args =
        [
            ProcessRun.FabinvokeDll, "events", "chaincode", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "--event", "Put",
            "--output", "json", "--start", start.ToString(CultureInfo.InvariantCulture), "--until-block", last.ToString(CultureInfo.InvariantCulture),
            "--checkpoint", checkpoint, "--output-file", output,
            "--peerAddresses", network.Org1PeerAddress, "--tlsRootCertFiles", network.Org1PeerCa,
            "--peerAddresses", network.Org2PeerAddress, "--tlsRootCertFiles", network.Org2PeerCa,
        ];

        var runs = 0;
        var kills = 0;
        var log = new StringBuilder();
        string Context() => $"seed {seed}, blocks {start}..{last}, {runs} runs, {kills} kills\n{log}";
        while (true)
        {
            runs++;
            Assert.True(runs <= MaxKills + 5, $"no run reached block {last} on its own; {Context()}");

            // SIGKILL once the file has grown past a random size: between a line and its checkpoint, mid-write, or between
            // events. After MaxKills the run is left to reach --until-block and exit.
            var before = Length(output);
            var killAt = kills < MaxKills ? before + random.Next(1, 8000) : long.MaxValue;
            using var job = KillableRun.Start(args, network.Env);
            try
            {
                // A thread of its own polls the file's length: once the stream flows it writes a line in well under a
                // millisecond, so it is watched without pause (a yield between looks) and killed from there at once.
                var length = before;
                var killed = await job.KillWhenAsync(
                    () => (length = Length(output)) >= killAt,
                    RunBound,
                    () => $"run {runs}: F stayed at {length} bytes (kill at {killAt}) for {RunBound.TotalSeconds}s; {Context()}\n{job.Stderr}",
                    flowing: () => length > before);
                if (killed)
                {
                    kills++;
                }

                await job.Exited.WaitAsync(RunBound);
                var cut = job.Stderr.Contains("beyond the checkpoint's recorded length", StringComparison.Ordinal) ? ", a torn tail cut first" : "";
                log.Append(CultureInfo.InvariantCulture, $"run {runs}: F {before} -> {Length(output)} bytes{cut}, {(killed ? "killed" : $"exit {job.ExitCode}")}\n");
                if (!killed)
                {
                    Assert.True(job.ExitCode == 0, $"run {runs} ended with exit {job.ExitCode}; {Context()}\n{job.Stderr}");
                    break;
                }
            }
            finally
            {
                job.Kill();
            }
        }

        var lines = File.ReadAllLines(output);
        var events = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.True(kills >= 3, $"only {kills} runs were killed: the test did not exercise restarts; {Context()}");

        // Every event once, in ledger order: positions strictly increase over the whole file.
        var positions = events.Select(e => (Block: e.GetProperty("block").GetUInt64(), Tx: e.GetProperty("txIndex").GetInt32())).ToList();
        for (var i = 1; i < positions.Count; i++)
        {
            Assert.True(positions[i - 1].CompareTo(positions[i]) < 0, $"line {i + 1} at {positions[i]} follows {positions[i - 1]}; {Context()}");
        }

        // Each of this run's 200 keys exactly once (and nothing of this run's that was not written).
        var ours = events.Select(e => e.GetProperty("payload").GetString()!).Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count == Events && ours.Order(StringComparer.Ordinal).SequenceEqual(keys), $"{ours.Count} of this run's events in F, {ours.Distinct().Count()} distinct; {Context()}");
        Assert.All(positions, p => Assert.InRange(p.Block, start, last));

        testOutput.WriteLine(Context());
        using var recorded = JsonDocument.Parse(File.ReadAllText(checkpoint));
        Assert.True(new FileInfo(output).Length == recorded.RootElement.GetProperty("outputLength").GetInt64(),
            $"F has {new FileInfo(output).Length} bytes, the checkpoint records {recorded.RootElement.GetProperty("outputLength")}; {Context()}");
    }

    /// <summary>The channel's height (<c>peer channel getinfo</c>).</summary>
    private async Task<ulong> Height()
    {
        var info = await network.PeerCli("channel", "getinfo", "-c", RealNetwork.ChannelId);
        var match = HeightField().Match(info.Stdout);
        Assert.True(info.ExitCode == 0 && match.Success, $"peer channel getinfo\n{info}");
        return ulong.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    [GeneratedRegex("\"height\":(\\d+)")]
    private static partial Regex HeightField();
}
