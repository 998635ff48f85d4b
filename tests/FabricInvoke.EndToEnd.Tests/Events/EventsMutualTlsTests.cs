using System.Text.Json;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Events;

/// <summary>
/// <c>events</c> against peers that require a TLS client certificate (DevNet with mutual TLS): the certificate comes from
/// the peer CLI's variables (CORE_PEER_TLS_CLIENTAUTHREQUIRED, CORE_PEER_TLS_CLIENTCERT_FILE, CORE_PEER_TLS_CLIENTKEY_FILE),
/// as for invoke's peers — events talk to peers only, so invoke's orderer flags (--clientauth --certfile --keyfile) have
/// no place there. Without one, the refusal says how to give one, in the Error: line and in JSON's error.message alike.
/// </summary>
public sealed class EventsMutualTlsTests : IClassFixture<MutualTlsNetworkFixture>
{
    private readonly MutualTlsNetworkFixture _net;

    public EventsMutualTlsTests(MutualTlsNetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private Dictionary<string, string?> WithClientCertificate() => _net.ClientCertificateEnvironment();

    private List<string> Events(string command, params string[] extra)
    {
        var peer = _net.Network.Peers[0];
        var args = new List<string> { "events", command, "-C", _net.Network.ChannelId };
        if (command == "chaincode")
        {
            args.AddRange(["-n", "basic"]);
        }

        args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile, "--start", "oldest", "--count", "1", .. extra]);
        return args;
    }

    [Fact]
    public async Task Events_chaincode_and_blocks_read_over_mutual_TLS_with_the_peer_CLI_variables()
    {
        var user = _net.Network.User(1);
        var put = _net.InvokeArgs("""{"Args":["Put","events-mtls","yes"]}""");
        put.AddRange(["--clientauth", "--certfile", user.TlsCertFile, "--keyfile", user.TlsKeyFile]);
        var invoke = await CliRun.RunAsync(WithClientCertificate(), put);
        Assert.True(invoke.ExitCode == 0, invoke.ToString());

        var chaincode = await CliRun.RunAsync(WithClientCertificate(), Events("chaincode"));
        var blocks = await CliRun.RunAsync(WithClientCertificate(), Events("blocks"));

        Assert.True(chaincode.ExitCode == 0, chaincode.ToString());
        Assert.Contains("chaincode=basic event=Put", chaincode.Stdout, StringComparison.Ordinal);
        Assert.True(blocks.ExitCode == 0, blocks.ToString());
        Assert.StartsWith("block=0 ", blocks.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("blocks")]
    [InlineData("chaincode")]
    public async Task Without_a_client_certificate_events_exit_4_saying_how_to_give_one(string command)
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Events(command, "--connTimeout", "10s"));

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains("give one with CORE_PEER_TLS_CLIENTAUTHREQUIRED=true, CORE_PEER_TLS_CLIENTCERT_FILE=FILE and CORE_PEER_TLS_CLIENTKEY_FILE=FILE", outcome.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_error_message_says_what_the_error_line_says_client_certificate_hint_included()
    {
        // It used to leave the hint out: the text line told how to give a certificate, the JSON did not.
        var args = _net.InvokeArgs("""{"Args":["Put","events-mtls","json"]}""");
        args.AddRange(["--output", "json"]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        using var json = JsonDocument.Parse(outcome.Stdout);
        var message = json.RootElement.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("give one with CORE_PEER_TLS_CLIENTAUTHREQUIRED=true", message, StringComparison.Ordinal);
        Assert.StartsWith($"Error: {message}", outcome.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_read_CORE_PEER_CLIENT_CONNTIMEOUT_as_invoke_does()
    {
        // --connTimeout's help names the variable; events used to ignore it (so a bad value went unnoticed too).
        var env = WithClientCertificate();
        env["CORE_PEER_CLIENT_CONNTIMEOUT"] = "banana";

        var outcome = await CliRun.RunAsync(env, Events("blocks"));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains("CORE_PEER_CLIENT_CONNTIMEOUT", outcome.ErrorLines[0], StringComparison.Ordinal);
    }
}
