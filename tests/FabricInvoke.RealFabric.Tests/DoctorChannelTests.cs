using System.Runtime.CompilerServices;
using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>
/// <c>fabinvoke doctor</c>'s channel, chaincode, endorsement-policy and gateway checks on real networks: for each
/// broken setup the first ✘ line names the cause and the fix, and doctor exits with the code that
/// <c>fabinvoke chaincode invoke</c> gives with the same settings (both are run; without --gateway the Go peer CLI's
/// invoke is run too, and fails or succeeds as they do); a healthy setup passes every check.
/// </summary>
public abstract class DoctorChannelTests(RealNetwork network)
{
    private const string Ctor = """{"Args":["Put","doctor-channel","v"]}""";

    /// <summary>The invoke's flags (the README's command) with <paramref name="change"/> applied, without the "chaincode invoke" verb.</summary>
    private List<string> Flags(Func<List<string>, List<string>>? change = null)
    {
        var args = network.InvokeArgs(Ctor).Skip(2).ToList();
        return change is null ? args : change(args);
    }

    /// <summary>
    /// Runs doctor and then the invoke with the same settings; the exit codes must be equal (and <paramref name="expected"/>);
    /// without --gateway the Go peer CLI's invoke too must fail, or succeed, as they do.
    /// </summary>
    private async Task<CliOutcome> DoctorAndInvoke(int expected, List<string> flags, IReadOnlyDictionary<string, string?>? env = null, [CallerMemberName] string setup = "")
    {
        env ??= new Dictionary<string, string?>();
        var doctor = await network.Fabinvoke(env, ["doctor", .. flags]);
        DoctorTimes.Record(network, setup, doctor);
        var invoke = await network.Fabinvoke(env, ["chaincode", "invoke", .. flags]);
        doctor.AssertWellBehaved();
        Assert.True(invoke.ExitCode == expected, $"the invoke itself\n{invoke}");
        Assert.True(doctor.ExitCode == invoke.ExitCode, $"doctor exit {doctor.ExitCode}, invoke exit {invoke.ExitCode}\n--- doctor\n{doctor}\n--- invoke\n{invoke}");
        if (!flags.Contains("--gateway"))
        {
            await GoCliVerdict.AssertAgrees(network, env, ["chaincode", "invoke", .. flags], expected);
        }

        return doctor;
    }

    private static string FirstFail(CliOutcome doctor) =>
        doctor.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith('✘')) ?? throw new Xunit.Sdk.XunitException($"no ✘ line\n{doctor}");

    private static void AssertFirstFail(CliOutcome doctor, params string[] fragments)
    {
        var line = FirstFail(doctor);
        foreach (var fragment in fragments)
        {
            Assert.True(line.Contains(fragment, StringComparison.Ordinal), $"first ✘ line lacks \"{fragment}\"\n{line}\n--- doctor\n{doctor}");
        }

        Assert.Contains("; fix: ", line, StringComparison.Ordinal);
    }

    private static List<string> Without(List<string> args, string flag)
    {
        var i = args.IndexOf(flag);
        args.RemoveRange(i, 2);
        return args;
    }

    /// <summary>Only Org1's peer: the flags of the second --peerAddresses/--tlsRootCertFiles pair removed.</summary>
    private static List<string> OnlyFirstPeer(List<string> args)
    {
        var second = args.LastIndexOf("--peerAddresses");
        args.RemoveRange(second, 4);
        return args;
    }

    private static List<string> Replace(List<string> args, string flag, string value)
    {
        args[args.IndexOf(flag) + 1] = value;
        return args;
    }

    [RealFabricFact]
    public async Task A_healthy_setup_passes_every_channel_chaincode_and_policy_check()
    {
        var doctor = await DoctorAndInvoke(0, Flags());

        Assert.DoesNotContain("✘", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("✔ channel Org1MSP: Org1MSP is a member of channel mychannel; your certificate chains to the root of Org1MSP", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains($"orders with {(network.Version == "3.0.0" ? "BFT" : "etcdraft")}", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("✔ chaincode basic: defined on channel mychannel: version 1.0, sequence 1, no init required", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("MAJORITY Endorsement of Org1MSP, Org2MSP (2 of 2)) is met by Org1MSP's peer", doctor.Stdout, StringComparison.Ordinal);
    }

    [RealFabricFact]
    public async Task An_Org3_identity_is_not_accepted_on_the_channel()
    {
        var env = new Dictionary<string, string?> { ["CORE_PEER_LOCALMSPID"] = "Org3MSP", ["CORE_PEER_MSPCONFIGPATH"] = network.IdentityMsp(3) };

        var doctor = await DoctorAndInvoke(5, Flags(), env);

        AssertFirstFail(doctor, "Org3MSP is not accepted on channel mychannel", "creator org unknown", "fix: Org3MSP is not an organisation of channel mychannel");
    }

    [RealFabricFact]
    public async Task The_wrong_MSP_id_for_the_certificate_is_named_with_its_issuer()
    {
        var env = new Dictionary<string, string?> { ["CORE_PEER_LOCALMSPID"] = "Org2MSP" };

        var doctor = await DoctorAndInvoke(5, Flags(), env);

        AssertFirstFail(doctor, "Org2MSP is not accepted on channel mychannel", "(issued by ca.org1.example.com) was not issued for Org2MSP");
    }

    [RealFabricFact]
    public async Task An_unknown_channel_is_not_found_on_the_peer()
    {
        var doctor = await DoctorAndInvoke(5, Flags(a => Replace(a, "-C", "nochannel")));

        AssertFirstFail(doctor, $"✘ channel {network.Org1PeerAddress}: channel nochannel not found", "fix: check the channel name");
    }

    [RealFabricFact]
    public async Task An_unknown_chaincode_is_not_defined_on_the_channel()
    {
        var doctor = await DoctorAndInvoke(5, Flags(a => Replace(a, "-n", "nosuchcc")));

        AssertFirstFail(doctor, "✘ chaincode nosuchcc: chaincode nosuchcc is not defined on channel mychannel", "namespace nosuchcc is not defined");
    }

    [RealFabricFact]
    public async Task One_orgs_peer_under_MAJORITY_would_be_invalidated_and_the_missing_org_is_named()
    {
        var doctor = await DoctorAndInvoke(7, Flags(OnlyFirstPeer));

        AssertFirstFail(doctor, $"needs Org1MSP and Org2MSP; you gave only Org1MSP's peer {network.Org1PeerAddress}", "fix: add a peer of Org2MSP");
    }

    [RealFabricFact]
    public async Task An_init_invocation_of_a_chaincode_that_needs_none_is_refused()
    {
        var doctor = await DoctorAndInvoke(5, Flags(a => [.. a, "--isInit"]));

        AssertFirstFail(doctor, "✘ chaincode basic: an init invocation of a chaincode that needs none", "does not require initialization but called as init", "fix: invoke without the init flag");
    }

    [RealFabricFact]
    public async Task Gateway_endorsing_organisations_that_cannot_meet_the_policy_would_be_invalidated()
    {
        var doctor = await DoctorAndInvoke(7, Flags(a => [.. Without(OnlyFirstPeer(a), "-o"), "--gateway", "--endorsingOrganizations", "Org1MSP"]));

        AssertFirstFail(doctor, "the Gateway is asked to endorse on Org1MSP only", "fix: add Org2MSP to the endorsing organisations");
    }

    [RealFabricFact]
    public async Task Through_the_gateway_the_anchor_peer_of_the_other_org_is_named()
    {
        var doctor = await DoctorAndInvoke(0, Flags(a => [.. Without(OnlyFirstPeer(a), "-o"), "--gateway"]));

        Assert.Contains($"✔ gateway {network.Org1PeerAddress}: anchor peers of the other organisations: Org2MSP: ", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains($"✔ gateway {network.Org1PeerAddress}: Gateway service enabled", doctor.Stdout, StringComparison.Ordinal);
    }

    [RealFabricFact]
    public async Task Stopped_orderers_the_invoke_would_find_in_the_channel_configuration_are_named()
    {
        // No -o: the invoke finds the orderers in the channel configuration (2.4.9: its one orderer; 3.0.0: 2 of 4 BFT
        // orderers stopped, one fewer than the quorum of 3).
        var stopped = network.Version == "3.0.0" ? network.OrdererNames.TakeLast(2).ToList() : [network.OrdererNames[0]];
        var addresses = network.OrdererAddresses.Skip(network.OrdererNames.Count - stopped.Count).ToList();
        foreach (var name in stopped)
        {
            await network.StopNode(name);
        }

        try
        {
            var doctor = await DoctorAndInvoke(network.Version == "3.0.0" ? 6 : 4, Flags(a => Without(a, "-o")));

            AssertFirstFail(doctor, [.. addresses.Select(a => $"orderer {a} (from the channel configuration): connection refused"), "fix: start the orderer(s)"]);
        }
        finally
        {
            await network.StartStoppedNodes();
        }
    }
}

[Collection("fabric-2.4.9")]
public sealed class DoctorChannelTests249(Fabric249 network) : DoctorChannelTests(network);

[Collection("fabric-3.0.0")]
public sealed class DoctorChannelTests300(Fabric300 network) : DoctorChannelTests(network);
