using System.Text.Json;
using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.EndToEnd.Tests.Events;

/// <summary>
/// <c>fabinvoke events</c> end to end over TLS against DevNet: chaincode events of VALID transactions in ledger order,
/// filters, stopping conditions, refusals, a broken stream re-opened on the next peer, and block summaries.
/// </summary>
public sealed class EventsTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public EventsTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private List<string> EventsArgs(string start, params string[] extra)
    {
        var args = new List<string> { "events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--start", start };
        foreach (var peer in _net.Network.Peers)
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        args.AddRange(extra);
        return args;
    }

    private async Task<ulong> PutAsync(string function, params string[] args)
    {
        var ctor = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["Args"] = [function, .. args] });
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs(ctor));
        Assert.True(outcome.ExitCode is 0 or 7, outcome.ToString());
        return _net.Network.Peers[0].Height - 1;
    }

    private static List<JsonElement> Lines(CliOutcome outcome) =>
        outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Events_of_several_transactions_come_in_ledger_order_as_JSON_Lines_and_stop_at_count()
    {
        var first = await PutAsync("Put", "ev-a", "1");
        await PutAsync("Put", "ev-b", "2");
        await PutAsync("CreateAsset", "ev-asset", "3");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(first.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", "json", "--count", "3"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var lines = Lines(outcome);
        Assert.Equal(["Put", "Put", "AssetCreated"], lines.Select(l => l.GetProperty("event").GetString()));
        Assert.Equal(["ev-a", "ev-b", "ev-asset"], lines.Select(l => l.GetProperty("payload").GetString()));
        Assert.Equal(lines.Select(l => l.GetProperty("block").GetUInt64()).Order(), lines.Select(l => l.GetProperty("block").GetUInt64()));
        Assert.All(lines, l => Assert.Matches("^[0-9a-f]{64}$", l.GetProperty("txid").GetString()));
        Assert.All(lines, l => Assert.Equal("basic", l.GetProperty("chaincode").GetString()));
        Assert.Equal(Convert.ToBase64String("ev-a"u8.ToArray()), lines[0].GetProperty("payloadBase64").GetString());
        Assert.Empty(outcome.ErrorLines);
    }

    [Fact]
    public async Task An_event_name_filter_keeps_only_those_events()
    {
        var first = await PutAsync("Put", "flt-a", "1");
        await PutAsync("CreateAsset", "flt-asset", "2");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(first.ToString(System.Globalization.CultureInfo.InvariantCulture), "--event", "AssetCreated", "--count", "1"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var line = Assert.Single(outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^block=\d+ tx=0 txid=[0-9a-f]{64} chaincode=basic event=AssetCreated payload=flt-asset$", line);
    }

    [Fact]
    public async Task Events_of_invalid_transactions_are_not_shown()
    {
        _net.Network.Peers[0].Faults.ForceValidationCode = TxValidationCode.MvccReadConflict;
        var invalid = await PutAsync("Put", "inv-bad", "1");
        _net.Heal();
        var valid = await PutAsync("Put", "inv-good", "2");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(invalid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", "json", "--until-block", valid.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(["inv-good"], Lines(outcome).Select(l => l.GetProperty("payload").GetString()));
    }

    [Fact]
    public async Task A_timeout_with_no_event_exits_10_and_with_events_exits_0()
    {
        var empty = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs("newest", "--event", "NeverEmitted", "--timeout", "1s"));
        Assert.True(empty.ExitCode == 10, empty.ToString());
        empty.AssertWellBehaved();
        Assert.Contains("no event within 1s (--timeout)", Assert.Single(empty.ErrorLines), StringComparison.Ordinal);

        var block = await PutAsync("Put", "to-a", "1");
        var some = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(block.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "1s"));
        Assert.True(some.ExitCode == 0, some.ToString());
        Assert.Contains("payload=to-a", some.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_member_is_refused_at_once_with_exit_9()
    {
        var foreign = _net.Network.CreateForeignIdentity();
        var env = _net.UserEnvironment();
        env["CORE_PEER_LOCALMSPID"] = foreign.MspId;
        env["CORE_PEER_MSPCONFIGPATH"] = foreign.MspDirectory;

        var outcome = await CliRun.RunAsync(env, EventsArgs("newest", "--reconnect-timeout", "5m"));

        Assert.True(outcome.ExitCode == 9, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains("deliver completed with status (FORBIDDEN)", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(15), outcome.ToString());
    }

    [Fact]
    public async Task An_unreachable_peer_at_the_start_is_a_connection_failure_not_a_five_minute_wait()
    {
        var dead = ClosedPort.Address();
        var args = new List<string> { "events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--peerAddresses", dead, "--tlsRootCertFiles", _net.Network.Peers[0].TlsRootCertFile, "--connTimeout", "1s" };

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        Assert.Contains($"cannot connect to peer {dead}", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_breaks_is_reopened_on_the_next_peer_without_losing_or_repeating_an_event()
    {
        var first = await PutAsync("Put", "fo-a", "1");
        await PutAsync("Put", "fo-b", "2");
        await PutAsync("Put", "fo-c", "3");
        // The first peer's streams break after their first block; the second peer is healthy.
        _net.Network.Peers[0].Faults.DropDeliverAfterFirstBlock = true;
        var env = _net.UserEnvironment();
        env["FABRIC_LOGGING_SPEC"] = "info";

        var outcome = await CliRun.RunAsync(env, EventsArgs(first.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", "json", "--count", "3"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(["fo-a", "fo-b", "fo-c"], Lines(outcome).Select(l => l.GetProperty("payload").GetString()));
        Assert.Contains($"re-opening it on peer {_net.Network.Peers[1].Address}", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Giving_up_reconnecting_exits_9_after_the_reconnect_timeout()
    {
        _net.Network.Peers[0].Faults.DeliverStatus = FabricInvoke.Protos.Common.Status.ServiceUnavailable;
        _net.Network.Peers[1].Faults.DeliverStatus = FabricInvoke.Protos.Common.Status.ServiceUnavailable;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs("newest", "--reconnect-timeout", "1s"));

        Assert.True(outcome.ExitCode == 9, outcome.ToString());
        Assert.Contains("gave up re-opening the event stream after 1s (--reconnect-timeout)", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("SERVICE_UNAVAILABLE", outcome.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_summaries_list_each_transaction_and_its_validation_code()
    {
        var block = await PutAsync("Put", "blk", "1");
        var args = new List<string> { "events", "blocks", "-C", _net.Network.ChannelId, "--start", block.ToString(System.Globalization.CultureInfo.InvariantCulture), "--count", "1", "--output", "json" };
        args.AddRange(["--peerAddresses", _net.Network.Peers[0].Address, "--tlsRootCertFiles", _net.Network.Peers[0].TlsRootCertFile]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var line = Assert.Single(Lines(outcome));
        Assert.Equal(block, line.GetProperty("block").GetUInt64());
        var tx = Assert.Single(line.GetProperty("transactions").EnumerateArray());
        Assert.Equal("VALID", tx.GetProperty("validationCode").GetString());
        Assert.Equal("EndorserTransaction", tx.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_checkpoint_resumes_right_after_the_last_event_written()
    {
        var first = await PutAsync("Put", "cp-a", "1");
        await PutAsync("Put", "cp-b", "2");
        await PutAsync("Put", "cp-c", "3");
        var checkpoint = Path.Combine(Path.GetTempPath(), "fabinvoke-cp-" + Guid.NewGuid().ToString("N"));
        try
        {
            var start = first.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var one = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(start, "--output", "json", "--count", "1", "--checkpoint", checkpoint));
            var two = await CliRun.RunAsync(_net.UserEnvironment(), EventsArgs(start, "--output", "json", "--count", "2", "--checkpoint", checkpoint));

            Assert.Equal(["cp-a"], Lines(one).Select(l => l.GetProperty("payload").GetString()));
            Assert.Equal(["cp-b", "cp-c"], Lines(two).Select(l => l.GetProperty("payload").GetString()));
            using var recorded = JsonDocument.Parse(File.ReadAllText(checkpoint));
            Assert.Equal(Lines(two)[1].GetProperty("txid").GetString(), recorded.RootElement.GetProperty("txid").GetString());
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }
}
