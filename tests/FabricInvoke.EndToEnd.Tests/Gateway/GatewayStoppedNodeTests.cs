using System.Text.Json;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Gateway;

/// <summary>
/// A node the gateway needs is really stopped (DevPeer/DevOrderer.StopAsync: its port refuses connections). Each case
/// has a network of its own: the gateway's connection to a stopped node backs off, as a Fabric gateway's does, and must
/// not leak into another test.
/// </summary>
internal static class GatewayStoppedNode
{
    public static List<string> InvokeArgs(NetworkFixture net, string key)
    {
        var peer = net.Network.Peers[0];
        return
        [
            "chaincode", "invoke", "--gateway", "-C", net.Network.ChannelId, "-n", "basic",
            "-c", JsonSerializer.Serialize(new Dictionary<string, string[]> { ["Args"] = ["Put", key, "v"] }),
            "--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile,
            "--waitForEvent", "--waitForEventTimeout", "20s",
        ];
    }
}

public sealed class GatewayStoppedPeerTests(NetworkFixture net) : IClassFixture<NetworkFixture>
{
    [Fact]
    public async Task With_the_other_organisations_peer_stopped_the_gateway_names_it_unavailable_and_exits_5()
    {
        var org2 = net.Network.Peers[1];
        var height = net.Network.Orderer.Height;
        await org2.StopAsync();
        try
        {
            var outcome = await CliRun.RunAsync(net.UserEnvironment(), GatewayStoppedNode.InvokeArgs(net, "gw-peer-stopped"));

            Assert.True(outcome.ExitCode == 5, outcome.ToString());
            var error = Assert.Single(outcome.ErrorLines);
            Assert.Contains("failed to collect enough transaction endorsements", error, StringComparison.Ordinal);
            Assert.Contains($"{org2.Address} (Org2MSP): rpc error: code = Unavailable", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", outcome.Stderr, StringComparison.Ordinal);
            Assert.Equal(height, net.Network.Orderer.Height);
        }
        finally
        {
            await org2.StartAsync();
        }
    }
}

public sealed class GatewayStoppedOrdererTests(NetworkFixture net) : IClassFixture<NetworkFixture>
{
    [Fact]
    public async Task With_the_orderer_stopped_submit_fails_naming_the_orderer_and_exits_6()
    {
        var orderer = net.Network.Orderer;
        await orderer.StopAsync();
        try
        {
            var outcome = await CliRun.RunAsync(net.UserEnvironment(), GatewayStoppedNode.InvokeArgs(net, "gw-orderer-stopped"));

            Assert.True(outcome.ExitCode == 6, outcome.ToString());
            var error = Assert.Single(outcome.ErrorLines);
            Assert.Contains("no orderers could successfully process transaction", error, StringComparison.Ordinal);
            Assert.Contains(orderer.Address, error, StringComparison.Ordinal);
            Assert.Matches("[0-9a-f]{64}", error);
            Assert.DoesNotContain("   at ", outcome.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await orderer.StartAsync();
        }
    }
}
