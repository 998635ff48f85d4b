using System.Text.Json;
using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Gateway;

/// <summary>Two organisations with two peers each.</summary>
public sealed class TwoPeersPerOrgNetworkFixture : NetworkFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, PeersPerOrg = 2 };
}

/// <summary>A gateway with more than one peer in its organisation tries the next one when one fails, and reports them all.</summary>
public sealed class GatewayTwoPeersPerOrgTests : IClassFixture<TwoPeersPerOrgNetworkFixture>
{
    private readonly TwoPeersPerOrgNetworkFixture _net;

    public GatewayTwoPeersPerOrgTests(TwoPeersPerOrgNetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private List<string> InvokeArgs(string ctor, params string[] extra)
    {
        var gateway = _net.Network.Peers[0];
        return
        [
            "chaincode", "invoke", "--gateway", "-C", _net.Network.ChannelId, "-n", "basic", "-c", ctor,
            "--peerAddresses", gateway.Address, "--tlsRootCertFiles", gateway.TlsRootCertFile, "--waitForEvent", .. extra,
        ];
    }

    [Fact]
    public async Task A_chaincode_error_is_tried_on_each_peer_of_the_gateway_org_and_every_detail_is_on_the_one_line()
    {
        var org1 = _net.Network.Peers.Where(p => p.MspId == "Org1MSP").ToList();
        Assert.Equal(2, org1.Count);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs("""{"Args":["Fail","twice"]}""", "--output", "json"));

        var root = JsonOutput.Failure(outcome, 5, "endorsement", mayHaveCommitted: false);
        var error = Assert.Single(outcome.ErrorLines);
        foreach (var peer in org1)
        {
            Assert.Contains($"{peer.Address} (Org1MSP): chaincode response 500, twice", error, StringComparison.Ordinal);
        }

        Assert.Equal(org1.Select(p => p.Address).Order(), root.GetProperty("error").GetProperty("targets").EnumerateArray().Select(t => t.GetString()).Order());
    }

    [Fact]
    public async Task With_the_first_peer_of_the_other_org_down_its_second_peer_endorses_and_the_invoke_commits()
    {
        var org2 = _net.Network.Peers.Where(p => p.MspId == "Org2MSP").ToList();
        org2[0].Faults.EndorsementRpcError = Grpc.Core.StatusCode.Unavailable;
        try
        {
            // VALID under MAJORITY needs an Org2 endorsement, which only its second peer can give.
            var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs("""{"Args":["Put","gw-2x2","v"]}"""));

            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            Assert.Contains($"committed with status (VALID) at {_net.Network.Peers[0].Address}", outcome.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            _net.Heal();
        }
    }
}
