using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Gateway;

/// <summary>The Gateway path on a network whose peers require client certificates.</summary>
public sealed class GatewayMutualTlsTests : IClassFixture<MutualTlsNetworkFixture>
{
    private readonly MutualTlsNetworkFixture _net;

    public GatewayMutualTlsTests(MutualTlsNetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private Dictionary<string, string?> MutualTlsEnvironment() => _net.ClientCertificateEnvironment();

    private List<string> Args(params string[] command)
    {
        var gateway = _net.Network.Peers[0];
        return [.. command, "--gateway", "-C", _net.Network.ChannelId, "-n", "basic", "--peerAddresses", gateway.Address, "--tlsRootCertFiles", gateway.TlsRootCertFile];
    }

    [Fact]
    public async Task Invoke_query_and_events_through_the_gateway_work_over_mutual_TLS()
    {
        var gateway = _net.Network.Peers[0];
        var start = _net.Network.Peers[0].Height.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var invoke = await CliRun.RunAsync(MutualTlsEnvironment(), Args("chaincode", "invoke", "-c", """{"Args":["Put","gw-mtls","yes"]}""", "--waitForEvent"));
        var query = await CliRun.RunAsync(MutualTlsEnvironment(), Args("chaincode", "query", "-c", """{"Args":["Get","gw-mtls"]}"""));
        var events = await CliRun.RunAsync(MutualTlsEnvironment(), Args("events", "chaincode", "--start", start, "--count", "1"));

        Assert.True(invoke.ExitCode == 0, invoke.ToString());
        Assert.Contains($"committed with status (VALID) at {gateway.Address}", invoke.Stderr, StringComparison.Ordinal);
        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.Equal("yes\n", query.Stdout);
        Assert.True(events.ExitCode == 0, events.ToString());
        Assert.Matches(@"^block=\d+ tx=- txid=[0-9a-f]{64} chaincode=basic event=Put payload=gw-mtls$", events.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public async Task Without_a_client_certificate_the_gateway_peer_refuses_the_connection_and_the_invoke_exits_4()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("chaincode", "invoke", "-c", """{"Args":["Put","gw-mtls","no"]}""", "--waitForEvent"));

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        Assert.Contains(_net.Network.Peers[0].Address, Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }
}
