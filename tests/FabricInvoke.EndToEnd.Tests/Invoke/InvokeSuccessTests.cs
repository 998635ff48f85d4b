using System.Text.RegularExpressions;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>The happy paths, end to end: real CLI code, TLS sockets, a 2-org DevNet.</summary>
public sealed partial class InvokeSuccessTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public InvokeSuccessTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC [0-9a-f]{4} INFO \[chaincodeCmd\] ClientWait -> txid \[(?<txid>[0-9a-f]{64})\] committed with status \(VALID\) at (?<peer>\S+)$", RegexOptions.Multiline)]
    private static partial Regex CommittedLine();

    [Fact]
    public async Task Put_with_waitForEvent_reports_VALID_on_every_peer_and_exits_0()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","greeting","hello"]}"""));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var commits = CommittedLine().Matches(outcome.Stderr);
        Assert.Equal(_net.Network.Peers.Select(p => p.Address).Order(), commits.Select(m => m.Groups["peer"].Value).Order());
        Assert.Single(commits.Select(m => m.Groups["txid"].Value).Distinct());
        Assert.Contains("INFO [chaincodeCmd] chaincodeInvokeOrQuery -> Chaincode invoke successful. result: status:200", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal("", outcome.Stdout);
        Assert.DoesNotContain("\u001b[", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_later_Get_returns_the_value_a_Put_committed()
    {
        var put = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","color","blue \"sky\""]}"""));
        Assert.True(put.ExitCode == 0, put.ToString());

        var get = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Function":"Get","Args":["color"]}"""));

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("Chaincode invoke successful. result: status:200 payload:\"blue \\\"sky\\\"\"", get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_waitForEvent_the_invoke_ends_after_the_orderer_accepts_and_still_shows_the_txid()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","nowait","1"]}""", wait: false));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Matches(@"txid \[[0-9a-f]{64}\] sent to orderer " + Regex.Escape(_net.Network.Orderer.Address), outcome.Stderr);
        Assert.DoesNotContain("committed with status", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains("Chaincode invoke successful", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transient_data_and_isInit_false_are_accepted_and_values_are_never_logged()
    {
        var args = _net.InvokeArgs("""{"Args":["Put","secretkey","public"]}""");
        args.AddRange(["--transient", """{"password":"c3VwZXItc2VjcmV0"}"""]);
        var env = _net.UserEnvironment();
        env["FABRIC_LOGGING_SPEC"] = "debug";

        var outcome = await CliRun.RunAsync(env, args);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.DoesNotContain("c3VwZXItc2VjcmV0", outcome.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("super-secret", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flags_win_over_CORE_PEER_ADDRESS_and_the_logging_spec_can_silence_info()
    {
        var env = _net.UserEnvironment();
        env["CORE_PEER_ADDRESS"] = ClosedPort.Address();
        env["CORE_PEER_TLS_ROOTCERT_FILE"] = "/nonexistent/ca.pem";
        env["FABRIC_LOGGING_SPEC"] = "warning";

        var outcome = await CliRun.RunAsync(env, _net.InvokeArgs("""{"Args":["Put","quiet","1"]}"""));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("", outcome.Stderr);
    }

    [Fact]
    public async Task Peer_from_CORE_PEER_ADDRESS_alone_is_used_when_no_peerAddresses_are_given()
    {
        var peer = _net.Network.Peers[0];
        var env = _net.UserEnvironment();
        env["CORE_PEER_ADDRESS"] = peer.Address;
        env["CORE_PEER_TLS_ROOTCERT_FILE"] = peer.TlsRootCertFile;
        var args = new List<string>
        {
            "chaincode", "invoke", "-C", _net.Network.ChannelId, "-n", "basic", "-c", """{"Args":["Put","envonly","1"]}""",
            "-o", _net.Network.Orderer.Address, "--tls", "--cafile", _net.Network.Orderer.TlsRootCertFile,
        };

        var outcome = await CliRun.RunAsync(env, args);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("Chaincode invoke successful. result: status:200", outcome.Stderr, StringComparison.Ordinal);
    }
}
