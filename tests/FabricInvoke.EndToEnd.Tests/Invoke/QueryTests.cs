using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>
/// <c>chaincode query</c> end to end over TLS against DevNet: the payload on stdout exactly as the peer CLI prints it,
/// the same exit codes as invoke, and nothing ordered.
/// </summary>
public sealed class QueryTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public QueryTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private List<string> QueryArgs(string ctor, params string[] extra)
    {
        var args = new List<string> { "chaincode", "query", "-C", _net.Network.ChannelId, "-n", "basic", "-c", ctor };
        foreach (var peer in _net.Network.Peers)
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        args.AddRange(extra);
        return args;
    }

    private async Task PutAsync(string key, string value)
    {
        var put = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs($$"""{"Args":["Put","{{key}}","{{value}}"]}"""));
        Assert.True(put.ExitCode == 0, put.ToString());
    }

    [Fact]
    public async Task The_value_an_invoke_wrote_is_printed_on_stdout_with_a_newline_and_nothing_is_ordered()
    {
        await PutAsync("q-k", "q-väl");
        var height = _net.Network.Orderer.Height;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), QueryArgs("""{"Args":["Get","q-k"]}"""));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("q-väl\n", outcome.Stdout);
        Assert.Empty(outcome.ErrorLines);
        Assert.Equal(height, _net.Network.Orderer.Height);
    }

    [Theory]
    [InlineData("-x", "712d72617721\n")]
    [InlineData("--hex", "712d72617721\n")]
    [InlineData("-r", "[113 45 114 97 119 33]\n")]
    [InlineData("--raw", "[113 45 114 97 119 33]\n")]
    public async Task Hex_and_raw_print_the_payload_as_the_peer_CLI_does(string flag, string expected)
    {
        await PutAsync("q-raw", "q-raw!");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), QueryArgs("""{"Args":["Get","q-raw"]}""", flag));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(expected, outcome.Stdout);
    }

    [Fact]
    public async Task Raw_and_hex_together_are_refused_with_the_peer_CLIs_words()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), QueryArgs("""{"Args":["Get","k"]}""", "-r", "-x"));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal("Error: options --raw (-r) and --hex (-x) are not compatible", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public async Task IsInit_is_not_a_query_flag()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), QueryArgs("""{"Args":["Get","k"]}""", "-I"));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        outcome.AssertWellBehaved();
    }

    [Fact]
    public async Task A_missing_key_is_the_chaincode_error_exit_5_naming_the_peer()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), QueryArgs("""{"Args":["Get","q-never-written"]}"""));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains($"endorsement failure during query at peer {_net.Network.Peers[0].Address}: response: status:500 message:\"The asset q-never-written does not exist\"",
            Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(outcome.Stdout);
    }

    [Fact]
    public async Task Only_the_first_peer_is_asked_unless_queryAll()
    {
        await PutAsync("q-first", "v");
        _net.Network.Peers[1].Faults.EndorsementStatus = (503, "second peer would say no");

        var first = await CliRun.RunAsync(_net.UserEnvironment(), QueryArgs("""{"Args":["Get","q-first"]}"""));
        var all = await CliRun.RunAsync(_net.UserEnvironment(), QueryArgs("""{"Args":["Get","q-first"]}""", "--queryAll"));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(all.ExitCode == 5, all.ToString());
        Assert.Contains($"at peer {_net.Network.Peers[1].Address}: response: status:503", Assert.Single(all.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAll_fails_naming_the_peers_when_their_answers_differ()
    {
        await PutAsync("q-differ", "v");
        _net.Network.Peers[1].Faults.AlterEndorsementPayload = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), QueryArgs("""{"Args":["Get","q-differ"]}""", "--queryAll"));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains("ProposalResponsePayloads do not match", error, StringComparison.Ordinal);
        Assert.Contains(_net.Network.Peers[0].Address, error, StringComparison.Ordinal);
        Assert.Contains(_net.Network.Peers[1].Address, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_is_one_schema_valid_object_with_the_payload()
    {
        await PutAsync("q-json", "j");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), QueryArgs("""{"Args":["Get","q-json"]}""", "--output", "json"));

        var root = JsonOutput.Single(outcome);
        Assert.Equal("j", root.GetProperty("result").GetProperty("payload").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("orderer").ValueKind);
    }

    [Fact]
    public async Task Query_through_devnet_reads_what_an_invoke_through_devnet_wrote()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fabinvoke-query-devnet-" + Guid.NewGuid().ToString("N"));
        try
        {
            var put = await CliRun.RunAsync(new Dictionary<string, string?>(),
                ["chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","dq","dv"]}""", "--waitForEvent"]);
            Assert.True(put.ExitCode == 0, put.ToString());

            var get = await CliRun.RunAsync(new Dictionary<string, string?>(),
                ["chaincode", "query", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Get","dq"]}"""]);

            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.Equal("dv\n", get.Stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
