using System.Globalization;
using System.Text;
using System.Text.Json;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Invocation;
using FabricInvoke.Core.Transactions;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Gateway;

/// <summary>
/// <c>events chaincode --gateway</c> end to end against DevNet's Gateway ChaincodeEvents: the same events, in the same
/// order, as from the peer's blocks; <c>--event</c> filters; <c>--start oldest</c> works although a v2.4 gateway refuses
/// SeekOldest; and a job killed with SIGKILL and restarted with its checkpoint neither loses nor repeats an event.
/// </summary>
public sealed class GatewayEventsTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public GatewayEventsTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private List<string> EventsArgs(bool gateway, string start, params string[] extra)
    {
        var args = new List<string> { "events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--start", start };
        if (gateway)
        {
            args.Add("--gateway");
        }

        // Through the gateway only the first peer is used.
        foreach (var peer in _net.Network.Peers)
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        args.AddRange(extra);
        return args;
    }

    /// <summary>Writes <paramref name="count"/> transactions through Core (25 at a time, not waiting for commits): Put, and every third a CreateAsset.</summary>
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
        var keys = new List<string>();
        for (var batch = 0; batch < count; batch += 25)
        {
            var results = await Task.WhenAll(Enumerable.Range(batch, Math.Min(25, count - batch)).Select(i =>
            {
                var key = $"{prefix}-{i:000}";
                lock (keys)
                {
                    keys.Add(key);
                }

                var function = i % 3 == 2 ? "CreateAsset" : "Put";
                var invocation = new ChaincodeInvocation(_net.Network.ChannelId, "basic", [Encoding.UTF8.GetBytes(function), Encoding.UTF8.GetBytes(key), "v"u8.ToArray()], [], false);
                return invoker.InvokeAsync(connections, new InvokeOptions { Invocation = invocation, WaitForEvent = true, WaitForEventTimeout = TimeSpan.FromSeconds(30) }, null, CancellationToken.None);
            })).WaitAsync(CliRun.Bound);
            Assert.All(results, r => Assert.NotNull(r));
        }

        return keys;
    }

    private static List<JsonElement> Lines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Gateway_events_are_those_of_the_blocks_in_the_same_order_and_the_event_filter_applies()
    {
        var start = _net.Network.Peers[0].Height.ToString(CultureInfo.InvariantCulture);
        var keys = await WriteAsync("gw-ev", 9);
        var puts = keys.Where((_, i) => i % 3 != 2).ToList();

        var direct = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(false, start, "--event", "Put", "--count", "6", "--output", "json"));
        var gateway = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(true, start, "--event", "Put", "--count", "6", "--output", "json"));

        Assert.True(direct.ExitCode == 0, direct.ToString());
        Assert.True(gateway.ExitCode == 0, gateway.ToString());
        var fromBlocks = Lines(direct.Stdout);
        var fromGateway = Lines(gateway.Stdout);
        Assert.Equal(puts.Order(), fromGateway.Select(l => l.GetProperty("payload").GetString()).Order());
        Assert.All(fromGateway, l => Assert.Equal("Put", l.GetProperty("event").GetString()));
        Assert.Equal(
            fromBlocks.Select(l => (l.GetProperty("block").GetUInt64(), l.GetProperty("txid").GetString(), l.GetProperty("payload").GetString())),
            fromGateway.Select(l => (l.GetProperty("block").GetUInt64(), l.GetProperty("txid").GetString(), l.GetProperty("payload").GetString())));
        Assert.Empty(gateway.ErrorLines);
    }

    [Fact]
    public async Task Start_oldest_through_the_gateway_begins_at_the_first_event_on_the_ledger()
    {
        await WriteAsync("gw-oldest", 2);

        var direct = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(false, "oldest", "--count", "2"));
        var gateway = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(true, "oldest", "--count", "2"));

        Assert.True(direct.ExitCode == 0, direct.ToString());
        Assert.True(gateway.ExitCode == 0, gateway.ToString());

        // The same lines, but for the transaction's index in its block, which a gateway does not give.
        Assert.Equal(System.Text.RegularExpressions.Regex.Replace(direct.Stdout, @" tx=\d+ ", " tx=- "), gateway.Stdout);
        Assert.Matches(@"^block=\d+ tx=- txid=[0-9a-f]{64} chaincode=basic event=Put payload=\S+$", gateway.Stdout.Split('\n')[0]);
    }

    [Fact]
    public async Task Killed_between_gateway_events_and_restarted_it_loses_and_repeats_nothing()
    {
        const int Events = 40;
        var start = _net.Network.Peers[0].Height.ToString(CultureInfo.InvariantCulture);
        var written = await WriteAsync("gw-resume", Events);
        var checkpoint = Path.Combine(Path.GetTempPath(), "fabinvoke-gw-resume-" + Guid.NewGuid().ToString("N"));
        var received = new List<JsonElement>();
        var random = new Random(20261202);
        try
        {
            var runs = 0;
            while (received.Count < Events)
            {
                runs++;
                Assert.True(runs < 30, $"no progress: {received.Count} of {Events} events after {runs} runs");
                var args = EventsArgs(true, start, "--output", "json", "--checkpoint", checkpoint);
                using var process = FabinvokeProcess.Start(Path.GetTempPath(), _net.UserEnvironment(), [.. args]);
                var want = Math.Min(Events - received.Count, random.Next(3, 12));
                await process.WaitForStdoutLinesAsync(want).WaitAsync(CliRun.Bound);
                Assert.True(process.StdoutLines.Count >= want, $"the stream ended early\n{process.Stderr}");

                process.Kill();
                await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
                var recorded = File.Exists(checkpoint) ? JsonDocument.Parse(File.ReadAllText(checkpoint)).RootElement.GetProperty("txid").GetString() : null;
                var lines = process.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
                var kept = recorded is null ? 0 : lines.FindIndex(l => l.GetProperty("txid").GetString() == recorded) + 1;
                Assert.True(recorded is null || kept > 0 || lines.Count == 0, "the checkpoint names an event this run did not write");
                Assert.True(lines.Count - kept <= 1, $"{lines.Count - kept} lines were written beyond the checkpoint");
                received.AddRange(lines.Take(kept));
            }

            var payloads = received.Select(e => e.GetProperty("payload").GetString()!).ToList();
            Assert.Equal(payloads.Count, payloads.Distinct().Count());
            Assert.Equal(written.Order(), payloads.Order());
            var blocks = received.Select(e => e.GetProperty("block").GetUInt64()).ToList();
            Assert.Equal(blocks.Order(), blocks);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }
}
