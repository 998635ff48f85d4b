using System.Text;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Robustness.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using DeliverResponse = FabricInvoke.Protos.Peer.DeliverResponse;
using FilteredBlock = FabricInvoke.Protos.Peer.FilteredBlock;

namespace FabricInvoke.Robustness.Tests;

/// <summary>
/// The real CLI against a node that answers one stage with raw bytes (random, truncated, unframed, bad status) or not
/// at all: a documented exit code, one Error line naming the node, no stack trace, no secret in the debug log.
/// </summary>
public sealed class RawPeerTests
{
    private const string Secret = "tr4nsient-s3cret-value";
    private static readonly string SecretBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret));

    private static readonly Dictionary<Stage, int[]> ExitCodesFor = new()
    {
        [Stage.Endorse] = [5],
        [Stage.DeliverConnect] = [9],
        [Stage.Broadcast] = [6],
        [Stage.DeliverCommit] = [9, 7, 8],
    };

    private static Dictionary<string, string?> Environment(TempMsp msp) => new()
    {
        ["CORE_PEER_LOCALMSPID"] = Fixtures.MspId,
        ["CORE_PEER_MSPCONFIGPATH"] = msp.Path,
        ["FABRIC_LOGGING_SPEC"] = "debug",
    };

    private static string[] InvokeArgs(string address, string requestTimeout = "10s", string waitTimeout = "10s") =>
    [
        "chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""",
        "--transient", $$"""{"secret":"{{SecretBase64}}"}""",
        "--peerAddresses", address, "-o", address, "--waitForEvent",
        "--requestTimeout", requestTimeout, "--waitForEventTimeout", waitTimeout,
    ];

    private static void AssertNoSecrets(CliOutcome outcome)
    {
        var output = outcome.Stdout + outcome.Stderr;
        Assert.False(output.Contains("PRIVATE KEY", StringComparison.Ordinal), $"key PEM in the output\n{outcome}");
        Assert.False(Fixtures.Org1KeyBodyLines.Any(l => output.Contains(l, StringComparison.Ordinal)), $"key material in the output\n{outcome}");
        Assert.False(output.Contains(Secret, StringComparison.Ordinal) || output.Contains(SecretBase64, StringComparison.Ordinal), $"transient value in the output\n{outcome}");
    }

    private static byte[] Proper(Stage stage) => stage switch
    {
        Stage.Endorse => RawPeer.GoodProposalResponse().ToByteArray(),
        Stage.Broadcast => new BroadcastResponse { Status = FabricInvoke.Protos.Common.Status.Success }.ToByteArray(),
        _ => new DeliverResponse { FilteredBlock = new FilteredBlock { ChannelId = "mychannel", Number = 6 } }.ToByteArray(),
    };

    private static Gen<RawReply> Replies { get; } =
        from stage in Gen.Elements(Enum.GetValues<Stage>())
        from kind in Gen.Elements("framed random", "framed corrupt", "unframed", "short frame", "huge length", "compressed flag", "empty", "error status", "no trailers")
        from random in Generators.Bytes(200)
        from corrupt in Generators.Corrupt(Proper(stage))
        from missing in Gen.Choose(1, 100)
        from code in Gen.Choose(1, 16)
        from message in Generators.Text(Generators.AnyChar, 30)
        select kind switch
        {
            "framed random" => new RawReply(stage, kind, RawReply.Frame(random)),
            "framed corrupt" => new RawReply(stage, kind, RawReply.Frame(corrupt)),
            "unframed" => new RawReply(stage, kind, random.Length == 0 ? [1] : random),
            "short frame" => new RawReply(stage, kind, RawReply.Frame(corrupt, corrupt.Length + missing)),
            "huge length" => new RawReply(stage, kind, RawReply.Frame([], int.MaxValue)),
            "compressed flag" => new RawReply(stage, kind, [1, .. RawReply.Frame(Proper(stage)).AsSpan(1)]),
            "empty" => new RawReply(stage, kind, []),
            "error status" => new RawReply(stage, kind, [], code, message),
            _ => new RawReply(stage, kind, RawReply.Frame(Proper(stage)), GrpcStatus: null),
        };

    [Fact]
    public async Task A_well_behaved_node_gets_a_clean_success_and_debug_logging_shows_no_secrets()
    {
        await using var peer = await RawPeer.StartAsync();
        using var msp = new TempMsp();

        var outcome = await CliRun.RunAsync(Environment(msp), InvokeArgs(peer.Address));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains("DEBU [chaincodeCmd]", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains($"committed with status (VALID) at {peer.Address}", outcome.Stderr, StringComparison.Ordinal);
        AssertNoSecrets(outcome);
    }

    [Fact]
    public Task Raw_bytes_at_any_stage_end_in_a_documented_code_and_one_line() => Task.Run(async () =>
    {
        await using var peer = await RawPeer.StartAsync();
        using var msp = new TempMsp();
        var env = Environment(msp);

        var property = Prop.ForAll(Replies.ToArbitrary(), async reply =>
        {
            peer.Plan = reply;
            var outcome = await CliRun.RunAsync(env, InvokeArgs(peer.Address), bound: TimeSpan.FromSeconds(10));

            outcome.AssertWellBehaved();
            Assert.True(outcome.ExitCode == 0 || ExitCodesFor[reply.Stage].Contains(outcome.ExitCode), $"{reply}\n{outcome}");
            if (outcome.ExitCode != 0)
            {
                Assert.True(outcome.ErrorLines[0].Contains(peer.Address, StringComparison.Ordinal), $"{reply}: the error does not name the node\n{outcome}");
            }

            AssertNoSecrets(outcome);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    });

    [Theory]
    [InlineData(Stage.Endorse, 5)]
    [InlineData(Stage.DeliverConnect, 9)]
    [InlineData(Stage.Broadcast, 6)]
    [InlineData(Stage.DeliverCommit, 8)]
    public async Task A_node_that_stops_answering_is_bounded_by_the_timeouts(Stage stage, int exitCode)
    {
        await using var peer = await RawPeer.StartAsync();
        using var msp = new TempMsp();
        peer.Plan = RawReply.SilentAt(stage);

        var outcome = await CliRun.RunAsync(Environment(msp), InvokeArgs(peer.Address, requestTimeout: "3s", waitTimeout: "3s"), bound: TimeSpan.FromSeconds(30));

        Assert.True(outcome.ExitCode == exitCode, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains(peer.Address, outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(3 + 10), outcome.ToString());
        AssertNoSecrets(outcome);
    }
}
