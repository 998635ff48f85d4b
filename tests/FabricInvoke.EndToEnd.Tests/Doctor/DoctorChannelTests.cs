using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Doctor;

/// <summary>
/// <c>fabinvoke doctor</c>'s channel, chaincode and policy checks through the real CLI over TLS on DevNet (whose
/// peers answer _lifecycle QueryChaincodeDefinition): the healthy lines, and broken setups whose first ✘ line names
/// the cause and the fix, with the exit code the real invoke gives for the same settings (run here too).
/// </summary>
public sealed class DoctorChannelTests : IClassFixture<NetworkFixture>
{
    private const string Ctor = """{"Args":["Put","doctor-channel","v"]}""";
    private readonly NetworkFixture _net;

    public DoctorChannelTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private async Task<string> FirstFailureAsync(List<string> invokeArgs, int expectedExitCode)
    {
        var doctor = await CliRun.RunAsync(_net.UserEnvironment(), ["doctor", .. invokeArgs.Skip(2)]);
        var invoke = await CliRun.RunAsync(_net.UserEnvironment(), invokeArgs);

        Assert.True(invoke.ExitCode == expectedExitCode, "the invoke itself: " + invoke);
        Assert.True(doctor.ExitCode == invoke.ExitCode, $"doctor exited {doctor.ExitCode}, the invoke {invoke.ExitCode}\n{doctor}\n--- invoke\n{invoke}");
        doctor.AssertWellBehaved();
        return doctor.Stdout.Split('\n').First(l => l.StartsWith('✘'));
    }

    [Fact]
    public async Task A_healthy_setup_shows_the_channel_the_definition_and_the_policy_met()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), ["doctor", .. _net.InvokeArgs(Ctor).Skip(2)]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"✔ channel {_net.Network.Peers[1].Address}: channel {_net.Network.ChannelId} found (a peer of Org2MSP); Org1MSP accepted", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains($"✔ chaincode basic: defined on channel {_net.Network.ChannelId}: version 1.0, sequence 1, no init required", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains($"is met by Org1MSP's peer {_net.Network.Peers[0].Address}, Org2MSP's peer {_net.Network.Peers[1].Address}", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_orgs_peer_under_MAJORITY_fails_like_the_invalidated_invoke_and_names_the_flag_to_add()
    {
        var args = _net.InvokeArgs(Ctor);
        var second = args.IndexOf(_net.Network.Peers[1].Address) - 1;
        args.RemoveRange(second, 4);

        var first = await FirstFailureAsync(args, 7);

        Assert.Contains($"needs Org1MSP and Org2MSP; you gave only Org1MSP's peer {_net.Network.Peers[0].Address}", first, StringComparison.Ordinal);
        Assert.Contains("fix: add a peer of Org2MSP (--peerAddresses)", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_chaincode_fails_like_the_invoke()
    {
        var args = _net.InvokeArgs(Ctor);
        args[args.IndexOf("-n") + 1] = "basci";

        var first = await FirstFailureAsync(args, 5);

        Assert.StartsWith("✘ chaincode basci: chaincode basci is not defined on channel", first, StringComparison.Ordinal);
        Assert.Contains("namespace basci is not defined", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_init_invocation_of_a_chaincode_that_needs_none_fails_like_the_invoke()
    {
        var first = await FirstFailureAsync([.. _net.InvokeArgs(Ctor), "--isInit"], 5);

        Assert.StartsWith("✘ chaincode basic: an init invocation of a chaincode that needs none", first, StringComparison.Ordinal);
    }
}
