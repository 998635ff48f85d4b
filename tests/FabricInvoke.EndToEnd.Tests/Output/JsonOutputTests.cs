using System.Text.Json;
using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.EndToEnd.Tests.Output;

/// <summary>
/// <c>--output json</c>: exactly one schema-valid object on stdout for success and for each failure class, carrying
/// what a script needs without parsing text (txid, per-peer results, exit code, kind, whether it may still commit).
/// </summary>
public sealed class JsonOutputTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public JsonOutputTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private List<string> Args(string ctor, string timeout = "20s")
    {
        var args = _net.InvokeArgs(ctor, timeout: timeout);
        args.AddRange(["--output", "json"]);
        return args;
    }

    [Fact]
    public async Task Success_reports_every_stage_per_peer_and_the_payload_as_text_and_base64()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("""{"Args":["Put","json-k","värde"]}"""));

        var root = JsonOutput.Single(outcome);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Matches("^[0-9a-f]{64}$", root.GetProperty("txid").GetString());
        Assert.Equal(_net.Network.ChannelId, root.GetProperty("channel").GetString());
        Assert.Equal("basic", root.GetProperty("chaincode").GetString());
        var result = root.GetProperty("result");
        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.Equal("värde", result.GetProperty("payload").GetString());
        Assert.Equal(Convert.ToBase64String("värde"u8.ToArray()), result.GetProperty("payloadBase64").GetString());
        Assert.Equal(_net.Network.Peers.Select(p => p.Address), root.GetProperty("endorsements").EnumerateArray().Select(e => e.GetProperty("address").GetString()));
        Assert.Equal(_net.Network.Orderer.Address, root.GetProperty("orderer").GetProperty("address").GetString());
        var commits = root.GetProperty("commits").EnumerateArray().ToList();
        Assert.Equal(_net.Network.Peers.Select(p => p.Address).Order(), commits.Select(c => c.GetProperty("address").GetString()).Order());
        Assert.All(commits, c => Assert.Equal("VALID", c.GetProperty("validationCode").GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
        Assert.True(root.GetProperty("timings").GetProperty("totalMs").GetDouble() > 0);

        // The text lines scripts grep for are still there, on stderr.
        Assert.Contains("Chaincode invoke successful. result: status:200", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payload_that_is_not_UTF8_is_null_as_text_and_exact_as_base64()
    {
        byte[] payload = [0xff, 0x00, 0x41];
        var result = new FabricInvoke.Core.Invocation.InvokeResult("t", "c", "cc", new FabricInvoke.Core.Endorsement.ChaincodeResponse(200, "", payload), [], null, [],
            new FabricInvoke.Core.Invocation.PhaseTimings(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero));

        var json = FabricInvoke.Cli.Output.InvokeJson.From(result, null, 0);

        Assert.Null(json.Result!.Payload);
        Assert.Equal(payload, Convert.FromBase64String(json.Result.PayloadBase64));
    }

    [Fact]
    public async Task Usage_error_is_a_json_failure_with_exit_2()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("""{"Args":"""));

        var root = JsonOutput.Failure(outcome, 2, "usage", mayHaveCommitted: false);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("txid").ValueKind);
    }

    [Fact]
    public async Task Unknown_flag_with_json_output_is_a_json_failure_with_exit_2()
    {
        var args = Args("""{"Args":["Put","k","v"]}""");
        args.Add("--frobnicate");

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        JsonOutput.Failure(outcome, 2, "usage", mayHaveCommitted: false);
    }

    [Fact]
    public async Task Config_error_names_the_folder_in_targets()
    {
        var env = _net.UserEnvironment();
        var missing = Path.Combine(Path.GetTempPath(), "fabinvoke-no-msp-" + Guid.NewGuid().ToString("N"));
        env["CORE_PEER_MSPCONFIGPATH"] = missing;

        var outcome = await CliRun.RunAsync(env, Args("""{"Args":["Put","k","v"]}"""));

        var error = JsonOutput.Failure(outcome, 3, "config", mayHaveCommitted: false).GetProperty("error");
        Assert.Equal(missing, Assert.Single(error.GetProperty("targets").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Connection_error_names_the_peer()
    {
        var dead = ClosedPort.Address();
        var args = Args("""{"Args":["Put","k","v"]}""");
        args.AddRange(["--peerAddresses", dead, "--tlsRootCertFiles", _net.Network.Peers[0].TlsRootCertFile, "--connTimeout", "1s"]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        var root = JsonOutput.Failure(outcome, 4, "connection", mayHaveCommitted: false);
        Assert.Equal(dead, root.GetProperty("error").GetProperty("targets")[0].GetString());
        Assert.Matches("^[0-9a-f]{64}$", root.GetProperty("txid").GetString());
    }

    [Fact]
    public async Task Chaincode_error_carries_the_chaincode_status()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("""{"Args":["Fail","json boom"]}"""));

        var error = JsonOutput.Failure(outcome, 5, "endorsement", mayHaveCommitted: false).GetProperty("error");
        Assert.Equal(500, error.GetProperty("chaincodeStatus").GetInt32());
        Assert.Equal("notSent", error.GetProperty("sendState").GetString());
    }

    [Fact]
    public async Task Orderer_refusal_carries_the_fabric_status_and_the_endorsements_that_were_made()
    {
        _net.Network.Orderer.Faults.BroadcastStatus = Status.BadRequest;
        _net.Network.Orderer.Faults.BroadcastInfo = "refused by json test";

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("""{"Args":["Put","k","v"]}"""));

        var root = JsonOutput.Failure(outcome, 6, "ordering", mayHaveCommitted: false);
        Assert.Equal("BAD_REQUEST", root.GetProperty("error").GetProperty("fabricStatus").GetString());
        Assert.Equal(_net.Network.Peers.Count, root.GetProperty("endorsements").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("orderer").ValueKind);
    }

    [Fact]
    public async Task Invalidation_carries_the_validation_code_block_and_the_commits_seen_and_cannot_commit()
    {
        _net.Network.Peers[1].Faults.ForceValidationCode = TxValidationCode.MvccReadConflict;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("""{"Args":["Put","k","v"]}"""));

        // In a block already, but invalid: it can never commit, however far it got.
        var root = JsonOutput.Failure(outcome, 7, "invalidated", mayHaveCommitted: false);
        var error = root.GetProperty("error");
        Assert.Equal("MVCC_READ_CONFLICT", error.GetProperty("validationCode").GetString());
        Assert.True(error.GetProperty("block").GetUInt64() > 0);
        Assert.Contains(root.GetProperty("commits").EnumerateArray(), c => c.GetProperty("validationCode").GetString() == "MVCC_READ_CONFLICT");
        Assert.Equal(_net.Network.Orderer.Address, root.GetProperty("orderer").GetProperty("address").GetString());
    }

    [Fact]
    public async Task Commit_timeout_says_it_may_still_commit_and_names_the_silent_peer()
    {
        _net.Network.Peers[1].Faults.WithholdBlocks = true;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("""{"Args":["Put","k","v"]}""", timeout: "3s"));

        var error = JsonOutput.Failure(outcome, 8, "commitTimeout", mayHaveCommitted: true).GetProperty("error");
        Assert.Equal([_net.Network.Peers[1].Address], error.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("sent", error.GetProperty("sendState").GetString());
    }

    [Fact]
    public async Task Deliver_status_before_the_broadcast_is_a_deliver_failure_that_cannot_commit()
    {
        _net.Network.Peers[1].Faults.DeliverStatus = Status.Forbidden;

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("""{"Args":["Put","k","v"]}"""));

        var error = JsonOutput.Failure(outcome, 9, "deliver", mayHaveCommitted: false).GetProperty("error");
        Assert.Equal("FORBIDDEN", error.GetProperty("fabricStatus").GetString());
    }

    [Fact]
    public async Task Interrupt_after_the_broadcast_says_it_was_sent()
    {
        _net.Network.Peers[1].Faults.WithholdBlocks = true;
        using var interrupt = new CancellationTokenSource();

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), Args("""{"Args":["Put","k","v"]}""", timeout: "50s"), interrupt.Token,
            onLine: line =>
            {
                if (line.Contains("committed with status (VALID)", StringComparison.Ordinal))
                {
                    interrupt.Cancel();
                }
            });

        var error = JsonOutput.Failure(outcome, 130, "interrupted", mayHaveCommitted: true).GetProperty("error");
        Assert.Equal("sent", error.GetProperty("sendState").GetString());
    }
}
