using System.Globalization;
using System.Text;
using System.Text.Json;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Invocation;
using FabricInvoke.Core.Transactions;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Events;

/// <summary>
/// <c>events chaincode --output-file FILE --checkpoint C</c> is exactly once (issue 21, finding 4): a job killed with
/// SIGKILL at random points over 200 events and restarted each time leaves FILE with every event exactly once, in
/// ledger order, no torn line; a tail written but not recorded is cut on restart and written again.
/// </summary>
public sealed class OutputFileTests : IClassFixture<NetworkFixture>, IDisposable
{
    private const int Events = 200;
    private readonly NetworkFixture _net;
    private readonly string _folder = Directory.CreateTempSubdirectory("fabinvoke-outfile-").FullName;

    public OutputFileTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes <paramref name="count"/> Puts through Core, 25 at a time, without waiting for commits.</summary>
    private async Task<List<string>> WriteAsync(string prefix, int count)
    {
        var user = _net.Network.User(1);
        var signer = MspFolder.Load(user.MspDirectory, user.MspId);
        using var connections = ChaincodeCmdFactory.Create(new ConnectionSettings
        {
            Peers = _net.Network.Peers.Select(p => new NodeEndpoint(Endpoint.Parse(p.Address, "peer"), p.TlsRootCertFile, null)).ToList(),
            Orderers = [new NodeEndpoint(Endpoint.Parse(_net.Network.Orderer.Address, "orderer"), _net.Network.Orderer.TlsRootCertFile, null)],
            PeerTransport = new TransportSettings(TimeSpan.FromSeconds(5), null),
        }, signer);
        var invoker = new ChaincodeInvoker();
        var keys = Enumerable.Range(0, count).Select(i => $"{prefix}-{i:000}").ToList();
        for (var batch = 0; batch < count; batch += 25)
        {
            await Task.WhenAll(keys.Skip(batch).Take(25).Select(key =>
            {
                var invocation = new ChaincodeInvocation(_net.Network.ChannelId, "basic", [Encoding.UTF8.GetBytes("Put"), Encoding.UTF8.GetBytes(key), "v"u8.ToArray()], [], false);
                return invoker.InvokeAsync(connections, new InvokeOptions { Invocation = invocation }, null, CancellationToken.None);
            })).WaitAsync(CliRun.Bound);
        }

        return keys;
    }

    private List<string> Args(ulong start, string checkpoint, string output, params string[] extra)
    {
        var args = new List<string>
        {
            "events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--event", "Put", "--output", "json",
            "--start", start.ToString(CultureInfo.InvariantCulture), "--checkpoint", checkpoint, "--output-file", output,
        };
        foreach (var peer in _net.Network.Peers)
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        args.AddRange(extra);
        return args;
    }

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    [Fact]
    public async Task Killed_at_random_points_and_restarted_the_file_holds_every_event_exactly_once()
    {
        var start = _net.Network.Peers[0].Height;
        var written = await WriteAsync("exact", Events);
        var checkpoint = Path.Combine(_folder, "exact.ckpt");
        var output = Path.Combine(_folder, "exact.jsonl");
        var random = new Random(20261207);
        var runs = 0;
        var kills = 0;
        while (true)
        {
            runs++;
            var before = Length(output);
            var lines = File.Exists(output) ? File.ReadAllLines(output).Length : 0;
            Assert.True(runs < 80, $"no progress after {runs} runs: {lines} lines");
            if (lines >= Events)
            {
                break;
            }

            using var process = FabinvokeProcess.Start(_folder, _net.UserEnvironment(), [.. Args(start, checkpoint, output, "--count", (Events - lines).ToString(CultureInfo.InvariantCulture))]);

            // Let the run make some progress (the file grows past where it started), then SIGKILL it at a random point
            // in its stream: between a line and its checkpoint, mid-write, or between events.
            var exited = process.WaitForExitAsync();
            while (Length(output) <= before && !exited.IsCompleted)
            {
                await Task.WhenAny(exited, Task.Delay(10)).WaitAsync(CliRun.Bound);
            }

            await Task.WhenAny(exited, Task.Delay(random.Next(0, 250)));
            var killed = !exited.IsCompleted;
            if (killed)
            {
                process.Kill();
                kills++;
            }

            await exited.WaitAsync(CliRun.Bound);
            Assert.True(killed || process.ExitCode == 0, $"exit {process.ExitCode}\n{process.Stderr}");
        }

        var received = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.True(kills >= 3, $"only {kills} runs were killed in {runs}: the test did not exercise restarts");
        Assert.Equal(written, received.Select(e => e.GetProperty("payload").GetString()!).Order(StringComparer.Ordinal));
        var positions = received.Select(e => (e.GetProperty("block").GetUInt64(), e.GetProperty("txIndex").GetInt32())).ToList();
        Assert.Equal(positions.Order(), positions);
        using var recorded = JsonDocument.Parse(File.ReadAllText(checkpoint));
        Assert.Equal(new FileInfo(output).Length, recorded.RootElement.GetProperty("outputLength").GetInt64());
    }

    [Fact]
    public async Task A_tail_beyond_the_recorded_length_is_cut_and_written_again()
    {
        var start = _net.Network.Peers[0].Height;
        await WriteAsync("torn", 3);
        var checkpoint = Path.Combine(_folder, "torn.ckpt");
        var output = Path.Combine(_folder, "torn.jsonl");
        var one = await CliRun.RunAsync(_net.UserEnvironment(), Args(start, checkpoint, output, "--count", "1"));
        Assert.True(one.ExitCode == 0, one.ToString());
        var afterOne = File.ReadAllText(output);

        // A run killed after writing part of the next line, before recording it.
        File.AppendAllText(output, "{\"block\":");
        var rest = await CliRun.RunAsync(_net.UserEnvironment(), Args(start, checkpoint, output, "--count", "2"));

        Assert.True(rest.ExitCode == 0, rest.ToString());
        Assert.Contains("cut 9 bytes beyond the checkpoint's recorded length", Assert.Single(rest.StderrLines), StringComparison.Ordinal);
        Assert.Empty(rest.Stdout);
        var lines = File.ReadAllLines(output);
        Assert.StartsWith(afterOne, File.ReadAllText(output), StringComparison.Ordinal);
        Assert.Equal(["torn-000", "torn-001", "torn-002"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("payload").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_output_file_shorter_than_recorded_is_refused_and_output_file_needs_a_checkpoint()
    {
        var start = _net.Network.Peers[0].Height;
        await WriteAsync("short", 2);
        var checkpoint = Path.Combine(_folder, "short.ckpt");
        var output = Path.Combine(_folder, "short.jsonl");
        var one = await CliRun.RunAsync(_net.UserEnvironment(), Args(start, checkpoint, output, "--count", "1"));
        Assert.True(one.ExitCode == 0, one.ToString());
        File.WriteAllText(output, "");

        var refused = await CliRun.RunAsync(_net.UserEnvironment(), Args(start, checkpoint, output));
        var noCheckpoint = await CliRun.RunAsync(_net.UserEnvironment(), ["events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--output-file", output, "--peerAddresses", _net.Network.Peers[0].Address, "--tlsRootCertFiles", _net.Network.Peers[0].TlsRootCertFile]);

        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains("the --output-file has 0 bytes but its checkpoint recorded", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        Assert.True(noCheckpoint.ExitCode == 2, noCheckpoint.ToString());
        Assert.Contains("--output-file needs --checkpoint", Assert.Single(noCheckpoint.ErrorLines), StringComparison.Ordinal);
    }
}
