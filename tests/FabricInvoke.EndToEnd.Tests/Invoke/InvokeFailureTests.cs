using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>
/// Every failure class of the pipeline, end to end: the exit code a script branches on and the one line a person reads.
/// Exit codes: 4 connection, 5 endorsement, 6 ordering, 7 invalidated, 8 commit timeout, 9 deliver, 130 interrupted.
/// </summary>
public sealed class InvokeFailureTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public InvokeFailureTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private string Peer(int i) => _net.Network.Peers[i].Address;

    /// <summary>
    /// No fault may hold the command past its own deadlines: the wait timeout used here (20 s at most) plus a margin
    /// for a loaded 2-core machine. Faults that should end sooner assert their own, tighter bound.
    /// </summary>
    private static void AssertEndedWithinItsTimeouts(CliOutcome outcome) =>
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(20 + 10), $"took {outcome.Elapsed}: {outcome}");

    [Fact]
    public async Task Chaincode_error_exits_5_with_the_peer_and_the_chaincode_message_and_nothing_is_ordered()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Fail","boom from test"]}"""));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains("endorsement failure during invoke at peer", error, StringComparison.Ordinal);
        Assert.Contains("status:500 message:\"boom from test\"", error, StringComparison.Ordinal);
        Assert.DoesNotContain("sent to orderer", outcome.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"txid: [0-9a-f]{64}", outcome.Stderr);
    }

    [Fact]
    public async Task IsInit_on_a_chaincode_that_needs_no_init_is_refused_by_the_peers_and_exits_5()
    {
        var args = _net.InvokeArgs("""{"Args":["Put","k","v"]}""");
        args.Add("-I");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains("does not require initialization but called as init", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_status_from_the_second_endorser_exits_5_naming_that_peer()
    {
        _net.Network.Peers[1].Faults.EndorsementStatus = (503, "peer is tired");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","k","v"]}"""));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains($"at peer {Peer(1)}: response: status:503 message:\"peer is tired\"", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endorsers_that_disagree_exit_5_with_ProposalResponsePayloads_do_not_match()
    {
        _net.Network.Peers[1].Faults.AlterEndorsementPayload = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","k","v"]}"""));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains("ProposalResponsePayloads do not match", error, StringComparison.Ordinal);
        Assert.Contains(Peer(1), error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gRPC_error_from_an_endorser_exits_5_with_the_rpc_error()
    {
        _net.Network.Peers[0].Faults.EndorsementRpcError = Grpc.Core.StatusCode.Unknown;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","k","v"]}"""));

        Assert.True(outcome.ExitCode == 5, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains($"at peer {Peer(0)}: error endorsing invoke: rpc error: code = Unknown", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transaction_invalidated_on_one_peer_exits_7_naming_the_code_and_the_peer()
    {
        _net.Network.Peers[1].Faults.ForceValidationCode = TxValidationCode.MvccReadConflict;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","k","v"]}"""));

        Assert.True(outcome.ExitCode == 7, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains($"invalidated with status (MVCC_READ_CONFLICT) at {Peer(1)}", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.Contains($"committed with status (MVCC_READ_CONFLICT) at {Peer(1)}", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endorsement_by_one_org_only_is_invalidated_by_the_real_policy_check_and_exits_7()
    {
        var peer = _net.Network.Peers[0];
        var args = new List<string>
        {
            "chaincode", "invoke", "-C", _net.Network.ChannelId, "-n", "basic", "-c", """{"Args":["Put","lonely","1"]}""",
            "--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile,
            "-o", _net.Network.Orderer.Address, "--tls", "--cafile", _net.Network.Orderer.TlsRootCertFile,
            "--waitForEvent",
        };

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 7, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains($"invalidated with status (ENDORSEMENT_POLICY_FAILURE) at {peer.Address}", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_timeout_exits_8_names_the_silent_peer_and_says_the_transaction_may_still_commit()
    {
        _net.Network.Peers[1].Faults.WithholdBlocks = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","k","v"]}""", timeout: "4s"));

        Assert.True(outcome.ExitCode == 8, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains("timed out after 4s waiting for txid", error, StringComparison.Ordinal);
        Assert.Contains($"on peers {Peer(1)}", error, StringComparison.Ordinal);
        Assert.Contains("may still commit", error, StringComparison.Ordinal);
        Assert.Contains($"committed with status (VALID) at {Peer(0)}", outcome.Stderr, StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(4 + 15), outcome.ToString());
    }

    [Fact]
    public async Task Deliver_FORBIDDEN_exits_9_before_anything_is_sent_to_the_orderer()
    {
        _net.Network.Peers[1].Faults.DeliverStatus = Status.Forbidden;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","k","v"]}"""));

        Assert.True(outcome.ExitCode == 9, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"deliver from {Peer(1)} failed: deliver completed with status (FORBIDDEN)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("sent to orderer", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliver_stream_dropped_mid_wait_exits_9_at_once_not_at_the_timeout()
    {
        _net.Network.Peers[0].Faults.DropDeliverAfterFirstBlock = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","k","v"]}""", timeout: "50s"));

        Assert.True(outcome.ExitCode == 9, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains($"deliver from {Peer(0)} failed", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(40), outcome.ToString());
    }

    [Fact]
    public async Task Unreachable_peer_exits_4_naming_it()
    {
        var dead = ClosedPort.Address();
        var args = _net.InvokeArgs("""{"Args":["Put","k","v"]}""");
        args.AddRange(["--peerAddresses", dead, "--tlsRootCertFiles", _net.Network.Peers[0].TlsRootCertFile, "--connTimeout", "2s"]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 4, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        // One line, with the txid the proposal already had (issue 8: no second "txid:" line).
        Assert.Matches($@"^Error: cannot connect to peer {System.Text.RegularExpressions.Regex.Escape(dead)}: connection refused \(txid: [0-9a-f]{{64}}\)$", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public async Task Orderer_refusal_exits_6_with_status_and_info()
    {
        _net.Network.Orderer.Faults.BroadcastStatus = Status.ServiceUnavailable;
        _net.Network.Orderer.Faults.BroadcastInfo = "backing off";

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","k","v"]}"""));

        Assert.True(outcome.ExitCode == 6, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains($"orderer {_net.Network.Orderer.Address}: got unexpected status: SERVICE_UNAVAILABLE -- backing off", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_orderer_exits_4_naming_it()
    {
        var dead = ClosedPort.Address();
        var args = _net.InvokeArgs("""{"Args":["Put","k","v"]}""");
        args[args.IndexOf("-o") + 1] = dead;
        args.AddRange(["--connTimeout", "2s"]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 4, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains($"cannot connect to orderer {dead}: connection refused", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Peer_certificate_from_another_CA_exits_4_with_a_TLS_message()
    {
        var args = _net.InvokeArgs("""{"Args":["Put","k","v"]}""");
        args[args.IndexOf(_net.Network.Peers[1].TlsRootCertFile)] = _net.Network.Orderer.TlsRootCertFile;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 4, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains($"cannot connect to peer {Peer(1)}: TLS handshake failed", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("does not chain to the TLS root certificate(s) in ", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("RemoteCertificateValidationCallback", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_host_override_that_does_not_match_the_certificate_exits_4()
    {
        var env = _net.UserEnvironment();
        env["CORE_PEER_TLS_SERVERHOSTOVERRIDE"] = "peer9.elsewhere.example.com";

        var outcome = await CliRun.RunAsync(env, _net.InvokeArgs("""{"Args":["Put","k","v"]}"""));

        Assert.True(outcome.ExitCode == 4, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains("TLS handshake failed", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        // What failed, in words: not .NET's "RemoteCertificateValidationCallback".
        Assert.Contains("is not valid for host name peer9.elsewhere.example.com (it names ", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("RemoteCertificateValidationCallback", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_during_the_commit_wait_exits_130_and_says_the_transaction_may_still_commit()
    {
        _net.Network.Peers[1].Faults.WithholdBlocks = true;
        using var interrupt = new CancellationTokenSource();
        var env = _net.UserEnvironment();

        var outcome = await CliRun.RunAsync(env, _net.InvokeArgs("""{"Args":["Put","k","v"]}""", timeout: "50s"), interrupt.Token,
            onLine: line =>
            {
                if (line.Contains("committed with status", StringComparison.Ordinal))
                {
                    interrupt.Cancel();
                }
            });

        Assert.True(outcome.ExitCode == 130, outcome.ToString());

        AssertEndedWithinItsTimeouts(outcome);
        Assert.Contains("interrupted while waiting for txid", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("may still commit", outcome.Stderr, StringComparison.Ordinal);
    }
}
