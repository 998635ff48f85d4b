namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>
/// What the Ed25519 tests on 3.0.0 check alike, as Org2 User1 (<c>org2User1</c>: its MSP, and on the mutual-TLS network
/// its Ed25519 TLS client certificate too): Ed25519Tests on <see cref="Fabric300"/>, Ed25519MutualTlsTests on
/// <see cref="Fabric300Mtls"/>.
/// </summary>
internal static class Ed25519Scenarios
{
    /// <summary>
    /// Both kinds of event stream (Deliver, and the Gateway's ChaincodeEvents), their seeks signed by the Ed25519
    /// identity, show the Put of <paramref name="key"/> committed in <paramref name="block"/> as <paramref name="txid"/>.
    /// </summary>
    public static async Task BothEventStreamsShow(RealNetwork network, IReadOnlyDictionary<string, string?> org2User1, string block, string? txid, string key)
    {
        foreach (var gateway in new[] { false, true })
        {
            List<string> events = ["events", "chaincode", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "--event", "Put", "--start", block, "--until-block", block];
            if (gateway)
            {
                events.Add("--gateway");
            }

            var seen = await network.Fabinvoke(org2User1, [.. events]);
            Assert.True(seen.ExitCode == 0, seen.ToString());
            Assert.Contains($"txid={txid} chaincode=basic event=Put payload={key}", seen.Stdout, StringComparison.Ordinal);
        }
    }

    /// <summary>The Go CLI puts a key (as network.env's Org1 User1); fabinvoke's query on Org2's peer reads it back.</summary>
    public static async Task QueryReadsWhatTheGoCliWrote(RealNetwork network, IReadOnlyDictionary<string, string?> org2User1, string keyPrefix)
    {
        var key = $"{keyPrefix}{Guid.NewGuid():N}";
        var put = await network.PeerCli([.. network.InvokeArgs($$"""{"Args":["Put","{{key}}","from peer"]}""")]);
        Assert.True(put.ExitCode == 0, put.ToString());

        var outcome = await network.Fabinvoke(org2User1, "chaincode", "query", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "-c", $$"""{"Args":["Get","{{key}}"]}""");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("from peer", outcome.Stdout.TrimEnd('\n'));
    }

    /// <summary>A <c>--gateway</c> invoke through Org2's peer commits VALID there, the Go CLI and a <c>--gateway</c> query read it.</summary>
    public static async Task GatewayInvokeCommitsAndGatewayQueryReadsIt(RealNetwork network, IReadOnlyDictionary<string, string?> org2User1, string keyPrefix)
    {
        var key = $"{keyPrefix}{Guid.NewGuid():N}";

        var invoke = await network.Fabinvoke(
            org2User1, "chaincode", "invoke", "--gateway", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "-c", $$"""{"Args":["Put","{{key}}","through the gateway"]}""", "--waitForEvent");

        Assert.True(invoke.ExitCode == 0, invoke.ToString());
        Assert.Contains($"committed with status (VALID) at {network.Org2PeerAddress}", invoke.Stderr, StringComparison.Ordinal);
        Assert.Equal("through the gateway", await network.Query(key));
        var query = await network.Fabinvoke(
            org2User1, "chaincode", "query", "--gateway", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "-c", $$"""{"Args":["Get","{{key}}"]}""");
        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.Equal("through the gateway", query.Stdout.TrimEnd('\n'));
    }
}
