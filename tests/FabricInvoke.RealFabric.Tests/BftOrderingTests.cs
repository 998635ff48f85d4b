using System.Text.Json;
using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>
/// Fabric 3.0.0's four SmartBFT orderers (F = 1, quorum 3): with no <c>-o</c>, fabinvoke reads the channel's consensus
/// type and sends to every orderer at once, as Fabric 3's Gateway does; a stopped orderer is reported, not retried.
/// </summary>
[Collection("fabric-3.0.0")]
public sealed class BftOrderingTests(Fabric300 network)
{
    /// <summary>The README's invoke without <c>-o</c> (orderer discovery), with JSON on stdout.</summary>
    private List<string> WithoutO(string key)
    {
        var args = network.InvokeArgs($$"""{"Args":["Put","{{key}}","v"]}""");
        args.RemoveRange(args.IndexOf("-o"), 2);
        // A generous connect timeout: this machine may be loaded (it bounds the peers; a stopped orderer is not retried).
        args.AddRange(["--waitForEventTimeout", "60s", "--connTimeout", "10s", "--output", "json"]);
        return args;
    }

    private static JsonElement Json(CliOutcome outcome)
    {
        using var document = JsonDocument.Parse(outcome.Stdout);
        return document.RootElement.Clone();
    }

    private static Dictionary<string, string> Outcomes(JsonElement root) =>
        root.GetProperty("orderers").EnumerateArray().ToDictionary(o => o.GetProperty("address").GetString()!, o => o.GetProperty("outcome").GetString()!);

    [RealFabricFact]
    public async Task Without_o_the_transaction_goes_to_all_four_orderers_and_commits_at_the_quorum()
    {
        var key = $"bft-{Guid.NewGuid():N}";

        var outcome = await network.Fabinvoke([.. WithoutO(key)]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var root = Json(outcome);
        Assert.Equal(3, root.GetProperty("orderer").GetProperty("quorum").GetInt32());
        var tried = Outcomes(root);
        Assert.Equal(network.OrdererAddresses.Order(), tried.Keys.Order());
        Assert.True(tried.Values.Count(v => v == "accepted") >= 3, outcome.ToString());
        Assert.Contains("the channel orders with BFT: sending to all 4 orderers at once", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal("v", await network.Query(key));
    }

    // Finding 6: main retried the stopped first orderer for --connTimeout (6 silent "retrying" lines, ~2.4 s) before the next.
    [RealFabricFact]
    public async Task With_the_first_orderer_stopped_it_is_reported_at_info_not_retried_and_the_others_order_the_transaction()
    {
        var first = network.OrdererAddresses[0];
        var key = $"bft-stopped-{Guid.NewGuid():N}";
        await network.StopNode(network.OrdererNames[0]);
        try
        {
            var outcome = await network.Fabinvoke(new Dictionary<string, string?> { ["FABRIC_LOGGING_SPEC"] = "debug" }, [.. WithoutO(key)]);

            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            Assert.Contains(outcome.StderrLines, l => l.Contains(" INFO ", StringComparison.Ordinal) && l.Contains($"cannot reach orderer {first}: connection refused", StringComparison.Ordinal));
            Assert.DoesNotContain(outcome.StderrLines, l => l.Contains("retrying", StringComparison.Ordinal) && l.Contains(first, StringComparison.Ordinal));
            var tried = Outcomes(Json(outcome));
            Assert.Equal("unreachable", tried[first]);
            Assert.Equal(3, tried.Values.Count(v => v == "accepted"));
            Assert.Equal("v", await network.Query(key));
        }
        finally
        {
            await network.RestartAll();
        }
    }
}
