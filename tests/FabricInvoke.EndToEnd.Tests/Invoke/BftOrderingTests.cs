using System.Text.Json;
using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Discovery;
using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Protos.Common;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>A DevNet whose channel configuration says BFT, with four orderers (F = 1, quorum 3).</summary>
public sealed class BftNetworkFixture : NetworkFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, Orderers = 4 };
}

/// <summary>
/// No <c>-o</c> on a BFT channel: the transaction goes to every orderer at once and is ordered once a quorum accepted
/// it (as Fabric 3's Gateway does); each orderer tried is logged at INFO and listed in the JSON result.
/// </summary>
public sealed class BftOrderingTests : IClassFixture<BftNetworkFixture>, IAsyncLifetime
{
    private readonly BftNetworkFixture _net;

    public BftOrderingTests(BftNetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private IReadOnlyList<DevOrderer> Orderers => _net.Network.Orderers;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Orderers a test stopped run again for the next test.</summary>
    public async Task DisposeAsync()
    {
        foreach (var orderer in Orderers)
        {
            await orderer.StartAsync();
        }
    }

    private static List<string> Json(List<string> args)
    {
        args.AddRange(["--output", "json"]);
        return args;
    }

    private static Dictionary<string, string?> Debug(Dictionary<string, string?> env)
    {
        env["FABRIC_LOGGING_SPEC"] = "debug";
        return env;
    }

    private static Dictionary<string, string> Outcomes(JsonElement root) =>
        root.GetProperty("orderers").EnumerateArray().ToDictionary(o => o.GetProperty("address").GetString()!, o => o.GetProperty("outcome").GetString()!);

    [Fact]
    public async Task The_transaction_goes_to_every_orderer_and_the_json_lists_them_with_the_quorum()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Json(WithoutOrderer.Args(_net, """{"Args":["Put","bft","1"]}""")));

        var root = JsonOutput.Single(outcome);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(3, root.GetProperty("orderer").GetProperty("quorum").GetInt32());
        var tried = Outcomes(root);
        Assert.Equal(Orderers.Select(o => o.Address).Order(), tried.Keys.Order());
        Assert.True(tried.Values.Count(v => v == "accepted") >= 3, outcome.ToString());
        Assert.Contains($"sending to all 4 orderers at once ({string.Join(", ", Orderers.Select(o => o.Address))}), 3 must accept it", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(_net.Network.Peers.Count, outcome.StderrLines.Count(l => l.Contains("committed with status (VALID)", StringComparison.Ordinal)));
    }

    // Finding 6: a BFT follower answers at once but forwards to its leader only after its forward timeout. Sent to the
    // first orderer only (main), the commit waits for that; sent to all, the others have it ordered.
    [Fact]
    public async Task A_first_orderer_that_forwards_slowly_does_not_hold_up_the_commit()
    {
        Orderers[0].Faults.ForwardDelay = TimeSpan.FromMinutes(10);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithoutOrderer.Args(_net, """{"Args":["Put","bft","2"]}"""));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(_net.Network.Peers.Count, outcome.StderrLines.Count(l => l.Contains("committed with status (VALID)", StringComparison.Ordinal)));
    }

    // Finding 6: a stopped first orderer is no longer retried for the connect timeout in silence before the next is tried.
    [Fact]
    public async Task A_stopped_first_orderer_is_logged_at_info_listed_as_unreachable_and_not_retried()
    {
        await Orderers[0].StopAsync();
        var dead = Orderers[0].Address;

        var outcome = await CliRun.RunAsync(Debug(_net.UserEnvironment()), Json(WithoutOrderer.Args(_net, """{"Args":["Put","bft","3"]}""")));

        var root = JsonOutput.Single(outcome);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains(outcome.StderrLines, l => l.Contains(" INFO ", StringComparison.Ordinal) && l.Contains($"cannot reach orderer {dead}: connection refused", StringComparison.Ordinal));
        Assert.DoesNotContain(outcome.StderrLines, l => l.Contains("retrying", StringComparison.Ordinal) && l.Contains(dead, StringComparison.Ordinal));
        Assert.Equal("unreachable", Outcomes(root)[dead]);
        Assert.Equal(_net.Network.Peers.Count, root.GetProperty("commits").GetArrayLength());
    }

    [Fact]
    public async Task One_orderer_refusing_the_transaction_does_not_fail_the_submit_when_the_others_make_the_quorum()
    {
        Orderers[0].Faults.BroadcastStatus = Status.BadRequest;
        Orderers[0].Faults.BroadcastInfo = "refused by a faulty orderer";

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithoutOrderer.Args(_net, """{"Args":["Put","bft","4"]}"""));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"orderer {Orderers[0].Address} refused it: BAD_REQUEST -- refused by a faulty orderer", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(_net.Network.Peers.Count, outcome.StderrLines.Count(l => l.Contains("committed with status (VALID)", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Orderers_that_answer_request_already_exists_count_toward_the_quorum()
    {
        foreach (var orderer in Orderers.Take(3))
        {
            orderer.Faults.BroadcastStatus = Status.ServiceUnavailable;
            orderer.Faults.BroadcastInfo = "failed to submit request: request already exists";
        }

        await Orderers[3].StopAsync();

        // No --waitForEvent: the injected answers drop the envelope, so nothing is ordered; the submit is what is checked.
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Json(WithoutOrderer.Args(_net, """{"Args":["Put","bft","5"]}""", wait: false)));

        var root = JsonOutput.Single(outcome);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var tried = Outcomes(root);
        Assert.All(Orderers.Take(3), o => Assert.Equal("accepted", tried[o.Address]));
        // The quorum may be reached before the stopped orderer's refusal arrives: then it is still "pending" in the result.
        Assert.Contains(tried[Orderers[3].Address], new[] { "unreachable", "pending" });
        Assert.Contains("already has it (SERVICE_UNAVAILABLE -- failed to submit request: request already exists): counted as accepted", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fewer_orderers_than_the_quorum_accepting_exits_6_naming_each_and_saying_it_may_still_be_ordered()
    {
        await Orderers[2].StopAsync();
        await Orderers[3].StopAsync();

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Json(WithoutOrderer.Args(_net, """{"Args":["Put","bft","6"]}""", wait: false)));

        var root = JsonOutput.Failure(outcome, 6, "ordering", mayHaveCommitted: true);
        outcome.AssertWellBehaved();
        var error = Assert.Single(outcome.ErrorLines);
        // Fabric's Gateway stops as soon as too many failed for a quorum: the others may not have answered yet.
        Assert.True(error.Contains(" of 4 orderers accepted it, the BFT quorum is 3", StringComparison.Ordinal), outcome.ToString());
        Assert.All(Orderers, o => Assert.Contains(o.Address, error, StringComparison.Ordinal));
        Assert.Contains($"{Orderers[2].Address}: connection refused", error, StringComparison.Ordinal);
        Assert.Contains($"{Orderers[3].Address}: connection refused", error, StringComparison.Ordinal);
        Assert.Equal(4, root.GetProperty("orderers").GetArrayLength());
    }
}

/// <summary>Orderers given with <c>-o</c> (or a Raft channel): tried in turn, each one logged at INFO and listed in the JSON result.</summary>
public sealed class OrdererAttemptTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public OrdererAttemptTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Fact]
    public async Task A_refused_first_orderer_moves_to_the_next_at_once_and_both_are_reported()
    {
        var dead = ClosedPort.Address();
        var real = _net.Network.Orderer.Address;
        var args = _net.InvokeArgs("""{"Args":["Put","attempts","1"]}""");
        args[args.IndexOf("-o") + 1] = $"{dead},{real}";
        args.AddRange(["--connTimeout", "10s", "--output", "json"]);
        var env = _net.UserEnvironment();
        env["FABRIC_LOGGING_SPEC"] = "debug";

        var outcome = await CliRun.RunAsync(env, args);

        var root = JsonOutput.Single(outcome);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.DoesNotContain(outcome.StderrLines, l => l.Contains("retrying", StringComparison.Ordinal));
        Assert.Contains(outcome.StderrLines, l => l.Contains(" INFO ", StringComparison.Ordinal) && l.Contains($"cannot reach orderer {dead}: connection refused", StringComparison.Ordinal));
        Assert.Contains(outcome.StderrLines, l => l.Contains(" INFO ", StringComparison.Ordinal) && l.Contains($"orderer {real} accepted it", StringComparison.Ordinal));
        var tried = root.GetProperty("orderers").EnumerateArray().Select(o => (o.GetProperty("address").GetString(), o.GetProperty("outcome").GetString())).ToList();
        Assert.Equal([(dead, "unreachable"), (real, "accepted")], tried);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("orderer").GetProperty("quorum").ValueKind);
    }

    [Fact]
    public async Task A_raft_channel_found_without_o_is_still_ordered_through_one_orderer()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), [.. WithoutOrderer.Args(_net, """{"Args":["Put","attempts","2"]}"""), "--output", "json"]);

        var root = JsonOutput.Single(outcome);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.DoesNotContain("BFT", outcome.Stderr, StringComparison.Ordinal);
        var only = Assert.Single(root.GetProperty("orderers").EnumerateArray());
        Assert.Equal("accepted", only.GetProperty("outcome").GetString());
    }
}
