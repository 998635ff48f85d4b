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
/// The promise of <c>events chaincode --checkpoint</c>: a job killed with SIGKILL between events and restarted with the
/// same file delivers every event of VALID transactions exactly once, in ledger order — proven over a few hundred.
/// </summary>
public sealed class CheckpointResumeTests : IClassFixture<NetworkFixture>
{
    private const int Events = 200;
    private readonly NetworkFixture _net;

    public CheckpointResumeTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    /// <summary>Writes <paramref name="count"/> Puts through Core, 25 at a time, without waiting for commits (the orderer batches them).</summary>
    private async Task<HashSet<string>> WriteAsync(int count)
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
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var batch = 0; batch < count; batch += 25)
        {
            await Task.WhenAll(Enumerable.Range(batch, Math.Min(25, count - batch)).Select(i =>
            {
                var key = $"resume-{i:000}";
                keys.Add(key);
                var invocation = new ChaincodeInvocation(_net.Network.ChannelId, "basic", [Encoding.UTF8.GetBytes("Put"), Encoding.UTF8.GetBytes(key), "v"u8.ToArray()], [], false);
                return invoker.InvokeAsync(connections, new InvokeOptions { Invocation = invocation }, null, CancellationToken.None);
            })).WaitAsync(CliRun.Bound);
        }

        return keys;
    }

    [Fact]
    public async Task Killed_between_events_and_restarted_it_loses_and_repeats_nothing()
    {
        var start = _net.Network.Peers[0].Height;
        var written = await WriteAsync(Events);
        var checkpoint = Path.Combine(Path.GetTempPath(), "fabinvoke-resume-" + Guid.NewGuid().ToString("N"));
        var received = new List<JsonElement>();
        var random = new Random(20261202);
        try
        {
            var runs = 0;
            while (received.Count < Events)
            {
                runs++;
                Assert.True(runs < 60, $"no progress: {received.Count} of {Events} events after {runs} runs");
                var args = new List<string>
                {
                    "events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--event", "Put", "--output", "json",
                    "--start", start.ToString(System.Globalization.CultureInfo.InvariantCulture), "--checkpoint", checkpoint,
                };
                foreach (var peer in _net.Network.Peers)
                {
                    args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
                }

                using var process = FabinvokeProcess.Start(Path.GetTempPath(), _net.UserEnvironment(), [.. args]);
                var want = Math.Min(Events - received.Count, random.Next(5, 40));
                await process.WaitForStdoutLinesAsync(want).WaitAsync(CliRun.Bound);
                Assert.True(process.StdoutLines.Count >= want, $"the stream ended early\n{process.Stderr}");

                // SIGKILL at whatever point the stream is: a consumer keeps what the checkpoint records (a line written
                // but not yet recorded is re-sent by the restart, so it is not kept here).
                process.Kill();
                await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
                var recorded = File.Exists(checkpoint) ? JsonDocument.Parse(File.ReadAllText(checkpoint)).RootElement.GetProperty("txid").GetString() : null;
                var lines = process.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
                var kept = recorded is null ? 0 : lines.FindIndex(l => l.GetProperty("txid").GetString() == recorded) + 1;
                Assert.True(recorded is null || kept > 0 || lines.Count == 0, "the checkpoint names an event this run did not write");
                Assert.True(lines.Count - kept <= 1, $"{lines.Count - kept} lines were written beyond the checkpoint: it must be saved after every line");
                received.AddRange(lines.Take(kept));
            }

            var payloads = received.Select(e => e.GetProperty("payload").GetString()!).ToList();
            Assert.Equal(payloads.Count, payloads.Distinct().Count());
            Assert.Equal(written.Order(), payloads.Order());
            var positions = received.Select(e => (e.GetProperty("block").GetUInt64(), e.GetProperty("txIndex").GetInt32())).ToList();
            Assert.Equal(positions.Order(), positions);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_ends_the_stream_with_exit_130_and_the_checkpoint_names_the_last_line_written(string signal)
    {
        var start = _net.Network.Peers[0].Height;
        await WriteAsync(3);
        var checkpoint = Path.Combine(Path.GetTempPath(), "fabinvoke-signal-" + Guid.NewGuid().ToString("N"));
        try
        {
            var args = new List<string>
            {
                "events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--output", "json",
                "--start", start.ToString(System.Globalization.CultureInfo.InvariantCulture), "--checkpoint", checkpoint,
                "--peerAddresses", _net.Network.Peers[0].Address, "--tlsRootCertFiles", _net.Network.Peers[0].TlsRootCertFile,
            };
            using var process = FabinvokeProcess.Start(Path.GetTempPath(), _net.UserEnvironment(), [.. args]);
            await process.WaitForStdoutLinesAsync(3).WaitAsync(CliRun.Bound);

            // Nothing more will come: the stream is waiting for the next block when the signal arrives.
            if (signal == "TERM")
            {
                process.Terminate();
            }
            else
            {
                process.Interrupt();
            }

            await process.WaitForExitAsync().WaitAsync(CliRun.Bound);

            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{process.Stderr}");
            var last = JsonDocument.Parse(process.StdoutLines[^1]).RootElement;
            var txid = last.GetProperty("txid").GetString();
            var error = Assert.Single(process.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("Error:", StringComparison.Ordinal));
            Assert.Contains($"interrupted; the last line written was for block {last.GetProperty("block").GetUInt64()}, txid {txid}", error, StringComparison.Ordinal);
            using var recorded = JsonDocument.Parse(File.ReadAllText(checkpoint));
            Assert.Equal(txid, recorded.RootElement.GetProperty("txid").GetString());
            Assert.Equal(3, process.StdoutLines.Count);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }
}
