using System.Globalization;
using System.Text.Json;
using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>Two organisations with two peers each: transactions can be endorsed while one peer of an org is down.</summary>
public sealed class TwoPeersPerOrgFixture : NetworkFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, PeersPerOrg = 2 };

    /// <summary>peer0.org1: the peer the tests stop and restart.</summary>
    public DevPeer Victim => Network.Peers[0];

    /// <summary>peer1.org1 and peer0.org2: endorsers that stay up.</summary>
    public IReadOnlyList<DevPeer> Endorsers => [Network.Peers[1], Network.Peers[2]];
}

/// <summary>Peers stopped (DevPeer.StopAsync) or restarted under a running invoke or event stream.</summary>
public sealed class PeerRestartTests : IClassFixture<TwoPeersPerOrgFixture>, IAsyncLifetime
{
    private readonly TwoPeersPerOrgFixture _net;

    public PeerRestartTests(TwoPeersPerOrgFixture net)
    {
        _net = net;
        _net.Heal();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Every test leaves every peer running and healthy for the next.</summary>
    public async Task DisposeAsync()
    {
        _net.Heal();
        foreach (var peer in _net.Network.Peers)
        {
            await peer.StartAsync();
        }
    }

    private List<string> InvokeArgs(string ctor, IEnumerable<DevPeer> peers, bool wait, params string[] extra)
    {
        var args = new List<string> { "chaincode", "invoke", "-C", _net.Network.ChannelId, "-n", "basic", "-c", ctor };
        foreach (var peer in peers)
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        args.AddRange(["-o", _net.Network.Orderer.Address, "--tls", "--cafile", _net.Network.Orderer.TlsRootCertFile]);
        if (wait)
        {
            args.AddRange(["--waitForEvent", "--waitForEventTimeout", "20s"]);
        }

        args.AddRange(extra);
        return args;
    }

    private List<string> EventsArgs(ulong start, IEnumerable<DevPeer> peers)
    {
        var args = new List<string>
        {
            "events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--output", "json",
            "--start", start.ToString(CultureInfo.InvariantCulture), "--reconnect-timeout", "60s",
        };
        foreach (var peer in peers)
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        return args;
    }

    /// <summary>
    /// The first block number no earlier test's transaction can land in: a put waited for on the endorsers commits
    /// after anything the orderer accepted before it (an earlier test may end before its transaction is cut, and a
    /// peer healed after withholding blocks may still be catching up, so neither height can be read directly).
    /// </summary>
    private async Task<ulong> QuietHeightAsync()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs("""{"Args":["Put","barrier","v"]}""", _net.Endorsers, wait: true));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        return _net.Network.Orderer.Height;
    }

    /// <summary>Puts <paramref name="key"/> through the endorsers that stay up; done once the orderer accepted it.</summary>
    private async Task PutAsync(string key)
    {
        var ctor = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["Args"] = ["Put", key, "v"] });
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs(ctor, _net.Endorsers, wait: false));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
    }

    /// <summary>
    /// Puts each key once its predecessor's event was printed, so the stream is always mid-way; after the event of
    /// key <paramref name="breakAfter"/>, the next put is sent while <paramref name="disrupt"/> runs.
    /// </summary>
    private async Task StreamWithDisruptionAsync(FabinvokeProcess events, IReadOnlyList<string> keys, int breakAfter, Func<Task> disrupt)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            if (i == breakAfter + 1)
            {
                var put = PutAsync(keys[i]);
                await disrupt().WaitAsync(CliRun.Bound);
                await put.WaitAsync(CliRun.Bound);
            }
            else
            {
                await PutAsync(keys[i]).WaitAsync(CliRun.Bound);
            }

            await events.WaitForStdoutLinesAsync(i + 1).WaitAsync(CliRun.Bound);
            Assert.True(events.StdoutLines.Count == i + 1, $"after put {i}: {events.StdoutLines.Count} lines\n{events.Stdout}\n---\n{events.Stderr}");
        }
    }

    private static List<JsonElement> Events(FabinvokeProcess process) =>
        process.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Theory]
    [InlineData("any", 0)]
    [InlineData("all", 9)]
    public async Task A_peer_stopped_while_the_invoke_waits_is_tolerated_by_any_and_fails_all(string waitFor, int exitCode)
    {
        // The victim endorses, then never reports the commit (it withholds blocks) and is stopped once the
        // transaction is with the orderer: its deliver stream breaks under the waiting invoke.
        _net.Victim.Faults.WithholdBlocks = true;
        var env = _net.UserEnvironment();
        var args = InvokeArgs("""{"Args":["Put","stopped","1"]}""", [_net.Victim, _net.Network.Peers[2]], wait: true, "--waitFor", waitFor);
        using var process = FabinvokeProcess.Start(Path.GetTempPath(), env, [.. args]);
        await process.WaitForLineAsync("sent to orderer").WaitAsync(CliRun.Bound);
        await _net.Victim.StopAsync();
        await process.WaitForExitAsync().WaitAsync(CliRun.Bound);

        var outcome = new CliOutcome(process.ExitCode, process.Stdout, process.Stderr, TimeSpan.Zero);
        Assert.True(outcome.ExitCode == exitCode, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.DoesNotContain($"committed with status (VALID) at {_net.Victim.Address}", outcome.Stderr, StringComparison.Ordinal);
        if (exitCode == 0)
        {
            Assert.Contains($"committed with status (VALID) at {_net.Network.Peers[2].Address}", outcome.Stderr, StringComparison.Ordinal);
        }
        else
        {
            // "all" fails at once with the stopped peer's broken stream (it may or may not have seen the other's commit).
            Assert.Contains(_net.Victim.Address, Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Events_across_a_peer_restart_mid_stream_arrive_exactly_once_and_in_order()
    {
        const int Total = 20;
        var keys = Enumerable.Range(0, Total).Select(i => $"rs-{i:00}").ToList();
        var start = await QuietHeightAsync();

        // Only the restarting peer is given: the stream must come back on the same peer after its restart.
        using var events = FabinvokeProcess.Start(Path.GetTempPath(), _net.UserEnvironment(), [.. EventsArgs(start, [_net.Victim]), "--count", Total.ToString(CultureInfo.InvariantCulture)]);
        await StreamWithDisruptionAsync(events, keys, breakAfter: 7, () => _net.Victim.RestartAsync());
        await events.WaitForExitAsync().WaitAsync(CliRun.Bound);

        Assert.True(events.ExitCode == 0, $"exit {events.ExitCode}\n{events.Stderr}");
        var lines = Events(events);
        Assert.Equal(keys, lines.Select(l => l.GetProperty("payload").GetString()));
        Assert.Equal(Total, lines.Select(l => l.GetProperty("txid").GetString()).Distinct().Count());
        var positions = lines.Select(l => (l.GetProperty("block").GetUInt64(), l.GetProperty("txIndex").GetInt32())).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("re-opening it on peer " + _net.Victim.Address, events.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_move_to_the_second_peer_when_the_first_is_stopped()
    {
        const int Total = 12;
        var keys = Enumerable.Range(0, Total).Select(i => $"fo-{i:00}").ToList();
        var start = await QuietHeightAsync();
        var second = _net.Network.Peers[1];

        using var events = FabinvokeProcess.Start(Path.GetTempPath(), _net.UserEnvironment(), [.. EventsArgs(start, [_net.Victim, second]), "--count", Total.ToString(CultureInfo.InvariantCulture)]);
        await StreamWithDisruptionAsync(events, keys, breakAfter: 4, _net.Victim.StopAsync);
        await events.WaitForExitAsync().WaitAsync(CliRun.Bound);

        Assert.True(events.ExitCode == 0, $"exit {events.ExitCode}\n{events.Stderr}");
        Assert.Equal(keys, Events(events).Select(l => l.GetProperty("payload").GetString()));
        Assert.True(events.Stderr.Contains("re-opening it on peer " + second.Address, StringComparison.Ordinal), $"stopped={!_net.Victim.IsRunning}\n{events.Stdout}\n---\n{events.Stderr}");
    }
}
