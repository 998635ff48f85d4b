using System.Text.Json;
using System.Text.RegularExpressions;
using FabricInvoke.EndToEnd.Tests.Infrastructure;
using Grpc.Core;

namespace FabricInvoke.EndToEnd.Tests.Gateway;

/// <summary>
/// <c>chaincode invoke --gateway</c> and <c>chaincode query --gateway</c> end to end over TLS against DevNet's Gateway
/// service: the same log phrases, output and exit codes as the direct path, every ErrorDetail the gateway gives on the one
/// error line, and the endorsement policy applied by the gateway peer.
/// </summary>
public sealed partial class GatewayInvokeTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public GatewayInvokeTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC [0-9a-f]{4} INFO \[chaincodeCmd\] ClientWait -> txid \[(?<txid>[0-9a-f]{64})\] committed with status \(VALID\) at (?<peer>\S+)$", RegexOptions.Multiline)]
    private static partial Regex CommittedLine();

    /// <summary>A gateway command line through <paramref name="gatewayPeer"/> (default peer0.org1): one peer, its TLS root, no orderer.</summary>
    private List<string> GatewayArgs(string command, string ctor, int gatewayPeer = 0, params string[] extra)
    {
        var peer = _net.Network.Peers[gatewayPeer];
        var args = new List<string>
        {
            "chaincode", command, "--gateway", "-C", _net.Network.ChannelId, "-n", "basic", "-c", ctor,
            "--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile,
        };
        args.AddRange(extra);
        return args;
    }

    private List<string> InvokeArgs(string ctor, params string[] extra) => GatewayArgs("invoke", ctor, 0, ["--waitForEvent", "--waitForEventTimeout", "20s", .. extra]);

    private static string Ctor(params string[] args) => JsonSerializer.Serialize(new Dictionary<string, string[]> { ["Args"] = args });

    [Fact]
    public async Task A_Put_through_the_gateway_commits_and_a_direct_query_on_the_other_org_reads_it()
    {
        var gateway = _net.Network.Peers[0];

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs(Ctor("Put", "gw-e2e", "through the gateway")));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var commit = Assert.Single(CommittedLine().Matches(outcome.Stderr));
        Assert.Equal(gateway.Address, commit.Groups["peer"].Value);
        Assert.Contains($"txid [{commit.Groups["txid"].Value}] sent to orderer through gateway {gateway.Address}", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains("INFO [chaincodeCmd] chaincodeInvokeOrQuery -> Chaincode invoke successful. result: status:200", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal("", outcome.Stdout);
        Assert.Empty(outcome.ErrorLines);

        // The gateway endorsed on both organisations (MAJORITY): Org2's peer accepted the block and serves the value.
        var org2 = _net.Network.Peers[1];
        var query = await CliRun.RunAsync(_net.UserEnvironment(2), new List<string>
        {
            "chaincode", "query", "-C", _net.Network.ChannelId, "-n", "basic", "-c", Ctor("Get", "gw-e2e"),
            "--peerAddresses", org2.Address, "--tlsRootCertFiles", org2.TlsRootCertFile,
        });
        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.Equal("through the gateway\n", query.Stdout);
    }

    [Fact]
    public async Task A_query_through_the_gateway_prints_the_value_and_orders_nothing()
    {
        var put = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs(Ctor("Put", "gw-q", "värde")));
        Assert.True(put.ExitCode == 0, put.ToString());
        var height = _net.Network.Orderer.Height;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(2), GatewayArgs("query", Ctor("Get", "gw-q"), gatewayPeer: 1));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("värde\n", outcome.Stdout);
        Assert.Empty(outcome.ErrorLines);
        Assert.Equal(height, _net.Network.Orderer.Height);
    }

    [Fact]
    public async Task A_query_chaincode_error_through_the_gateway_names_the_peer_and_exits_5()
    {
        var gateway = _net.Network.Peers[0];

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), GatewayArgs("query", Ctor("Fail", "query boom")));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains("evaluate call to endorser returned error: chaincode response 500, query boom", error, StringComparison.Ordinal);
        Assert.Contains($"{gateway.Address} (Org1MSP): chaincode response 500, query boom", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_Org1_endorsing_is_what_the_client_asked_for_and_the_policy_invalidates_it_with_exit_7()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs(Ctor("Put", "gw-org1-only", "v"), "--endorsingOrganizations", "Org1MSP"));

        Assert.True(outcome.ExitCode == 7, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Matches($@"transaction [0-9a-f]{{64}} invalidated with status \(ENDORSEMENT_POLICY_FAILURE\) at {Regex.Escape(_net.Network.Peers[0].Address)} in block \d+", error);
    }

    [Fact]
    public async Task A_chaincode_error_shows_every_error_detail_on_one_line_and_exits_5()
    {
        var gateway = _net.Network.Peers[0];
        var height = _net.Network.Orderer.Height;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs(Ctor("Fail", "gateway boom")));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith($"Error: endorsement failure during invoke through gateway {gateway.Address}: failed to endorse transaction, see attached details for more info", error, StringComparison.Ordinal);
        Assert.Contains($"code = {StatusCode.Aborted}", error, StringComparison.Ordinal);
        Assert.Contains($"{gateway.Address} (Org1MSP): chaincode response 500, gateway boom", error, StringComparison.Ordinal);
        Assert.Matches("[0-9a-f]{64}", error);
        Assert.DoesNotContain("   at ", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(height, _net.Network.Orderer.Height);
    }

    [Fact]
    public async Task With_the_other_organisations_peers_down_the_policy_cannot_be_met_exit_5_naming_them()
    {
        var org2 = _net.Network.Peers[1];
        org2.Faults.EndorsementRpcError = StatusCode.Unavailable;
        try
        {
            var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs(Ctor("Put", "gw-down", "v")));

            Assert.True(outcome.ExitCode == 5, outcome.ToString());
            var error = Assert.Single(outcome.ErrorLines);
            Assert.Contains("failed to collect enough transaction endorsements, see attached details for more info", error, StringComparison.Ordinal);
            Assert.Contains($"{org2.Address} (Org2MSP): rpc error: code = Unavailable", error, StringComparison.Ordinal);
        }
        finally
        {
            _net.Heal();
        }
    }

    [Fact]
    public async Task An_unknown_endorsing_organisation_fails_with_exit_5_and_the_gateway_words()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs(Ctor("Put", "gw-org9", "v"), "--endorsingOrganizations", "Org9MSP"));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        Assert.Contains("failed to find any endorsing peers for org(s): Org9MSP", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_waitForEvent_the_gateway_invoke_returns_after_submit()
    {
        var gateway = _net.Network.Peers[0];

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), GatewayArgs("invoke", Ctor("Put", "gw-nowait", "v")));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var sent = Regex.Match(outcome.Stderr, $@"txid \[(?<txid>[0-9a-f]{{64}})\] sent to orderer through gateway {Regex.Escape(gateway.Address)}");
        Assert.True(sent.Success, outcome.ToString());
        Assert.DoesNotContain("committed with status", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains("Chaincode invoke successful", outcome.Stderr, StringComparison.Ordinal);

        // It was ordered all the same: the gateway peer commits it (nothing waited for it).
        var node = gateway.Node;
        while (true)
        {
            var height = node.Blocks.Height;
            if (node.HasTransaction(sent.Groups["txid"].Value))
            {
                break;
            }

            await node.Blocks.WaitForBlockAsync(height, CancellationToken.None).WaitAsync(CliRun.Bound);
        }
    }

    [Fact]
    public async Task JSON_output_of_a_gateway_invoke_names_the_gateway_for_ordering_and_commit()
    {
        var gateway = _net.Network.Peers[0];

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs(Ctor("Put", "gw-json", "värde"), "--output", "json"));

        var root = JsonOutput.Single(outcome);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Matches("^[0-9a-f]{64}$", root.GetProperty("txid").GetString());
        Assert.Equal(200, root.GetProperty("result").GetProperty("status").GetInt32());
        var orderer = root.GetProperty("orderer");
        Assert.Equal(gateway.Address, orderer.GetProperty("address").GetString());
        Assert.True(orderer.GetProperty("throughGateway").GetBoolean());
        var commit = Assert.Single(root.GetProperty("commits").EnumerateArray());
        Assert.Equal((gateway.Address, "VALID"), (commit.GetProperty("address").GetString(), commit.GetProperty("validationCode").GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task JSON_output_of_a_gateway_endorsement_failure_carries_every_detail()
    {
        var gateway = _net.Network.Peers[0];

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), InvokeArgs(Ctor("Fail", "json boom"), "--output", "json"));

        var root = JsonOutput.Failure(outcome, 5, "endorsement", mayHaveCommitted: false);
        var error = root.GetProperty("error");
        Assert.Contains(gateway.Address, error.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("chaincode response 500, json boom", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
