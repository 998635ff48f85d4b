using FabricInvoke.Robustness.Tests.Infrastructure;

namespace FabricInvoke.Robustness.Tests;

/// <summary>A node that accepts the TCP connection and then says nothing must not hang the CLI.</summary>
public sealed class NoHangTests
{
    private static Dictionary<string, string?> Environment(TempMsp msp) => new()
    {
        ["CORE_PEER_LOCALMSPID"] = Fixtures.MspId,
        ["CORE_PEER_MSPCONFIGPATH"] = msp.Path,
    };

    private static string[] InvokeArgs(string peer, string orderer, params string[] extra) =>
    [
        "chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""",
        "--peerAddresses", peer, "-o", orderer, "--waitForEvent", .. extra,
    ];

    [Fact]
    public async Task A_silent_TLS_peer_is_a_connection_failure_within_connTimeout()
    {
        await using var silent = new SilentListener();
        using var msp = new TempMsp();
        var env = Environment(msp);
        env["CORE_PEER_TLS_ENABLED"] = "true";

        var outcome = await CliRun.RunAsync(env, InvokeArgs(silent.Address, ClosedPort.Address(), "--tlsRootCertFiles", Fixtures.Org1TlsCa, "--connTimeout", "1s"));

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains($"peer {silent.Address}", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(15), outcome.ToString());
        Assert.True(silent.Accepted > 0, "the client never connected");
    }

    [Fact]
    public async Task A_silent_plaintext_peer_is_bounded_by_requestTimeout()
    {
        // h2c: the client's HTTP/2 preface is never answered, so only a deadline can end the call.
        await using var silent = new SilentListener();
        using var msp = new TempMsp();

        var outcome = await CliRun.RunAsync(Environment(msp), InvokeArgs(silent.Address, ClosedPort.Address(), "--requestTimeout", "2s"));

        outcome.AssertWellBehaved();
        Assert.True(outcome.ExitCode != 0, outcome.ToString());
        Assert.Contains(silent.Address, outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(2 + 10), outcome.ToString());
    }

    [Fact]
    public async Task A_silent_plaintext_orderer_is_bounded_by_requestTimeout()
    {
        await using var peer = await RawPeer.StartAsync();
        await using var silent = new SilentListener();
        using var msp = new TempMsp();

        var outcome = await CliRun.RunAsync(Environment(msp), InvokeArgs(peer.Address, silent.Address, "--requestTimeout", "3s"));

        Assert.True(outcome.ExitCode == 6, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains($"orderer {silent.Address}: no response within 3s (requestTimeout)", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(3 + 10), outcome.ToString());
    }

    [Fact]
    public async Task A_silent_TLS_orderer_is_a_connection_failure_within_connTimeout_like_a_silent_peer()
    {
        // It accepts TCP and never completes the handshake: nothing was sent, so this is exit 4 with the peer's wording
        // (it used to be exit 6 "rpc error: code = Cancelled").
        await using var peer = await RawPeer.StartAsync();
        await using var silent = new SilentListener();
        using var msp = new TempMsp();

        var outcome = await CliRun.RunAsync(Environment(msp),
            InvokeArgs(peer.Address, silent.Address, "--tls", "--cafile", Fixtures.Org1TlsCa, "--connTimeout", "1s"));

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains($"cannot connect to orderer {silent.Address}: connection timed out (connTimeout)", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(15), outcome.ToString());
        Assert.True(silent.Accepted > 0, "the client never connected");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Events_at_a_silent_TLS_peer_are_the_same_connection_failure_with_or_without_gateway(bool gateway)
    {
        // With --gateway this used to be exit 1 (TaskCanceledException): the connect timeout surfaced as a cancellation.
        await using var silent = new SilentListener();
        using var msp = new TempMsp();
        var env = Environment(msp);
        env["CORE_PEER_TLS_ENABLED"] = "true";
        string[] args =
        [
            "events", "chaincode", "-C", "mychannel", "-n", "basic", "--peerAddresses", silent.Address,
            "--tlsRootCertFiles", Fixtures.Org1TlsCa, "--connTimeout", "1s", "--reconnect-timeout", "2s",
        ];

        var outcome = await CliRun.RunAsync(env, gateway ? [.. args, "--gateway"] : args);

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains($"cannot connect to peer {silent.Address}: connection timed out (connTimeout)", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.True(silent.Accepted > 0, "the client never connected");
    }
}
