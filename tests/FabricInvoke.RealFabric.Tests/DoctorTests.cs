using System.Runtime.CompilerServices;
using System.Text.Json;
using FabricInvoke.RealFabric.Tests.Infrastructure;
using FabricInvoke.Testing;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>
/// <c>fabinvoke doctor</c> against real Fabric, with the very command line of the README's invoke (<c>chaincode
/// invoke</c> replaced by <c>doctor</c>): a healthy setup passes every check; each broken setup's first ✘ line names
/// the cause and the fix, and doctor exits with the code <c>fabinvoke chaincode invoke</c> gives for the same settings
/// (run here too, and compared). Org1's User1 (ECDSA on both versions). The channel-membership setups (an Org3
/// identity, say) are the channel checks' own tests.
/// </summary>
public abstract class DoctorTests(RealNetwork network) : IDisposable
{
    private const string Ctor = """{"Args":["Put","doctor","v"]}""";
    private readonly string _scratch = Directory.CreateTempSubdirectory("fabinvoke-doctor-real-").FullName;

    public void Dispose()
    {
        Directory.Delete(_scratch, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static string[] AsDoctor(List<string> invokeArgs) => ["doctor", .. invokeArgs.Skip(2)];

    /// <summary>Doctor, then the real invoke with the same settings: doctor must exit as the invoke did.</summary>
    private async Task<(CliOutcome Doctor, string FirstFailure)> DiagnoseAsync(
        Dictionary<string, string?> env, List<string> invokeArgs, int expectedExitCode, [CallerMemberName] string setup = "")
    {
        var doctor = await network.Fabinvoke(env, AsDoctor(invokeArgs));
        DoctorTimes.Record(network, setup, doctor);
        var invoke = await network.Fabinvoke(env, [.. invokeArgs]);

        Assert.True(invoke.ExitCode == expectedExitCode, "the invoke itself: " + invoke);
        Assert.True(doctor.ExitCode == invoke.ExitCode, $"doctor exited {doctor.ExitCode}, the invoke {invoke.ExitCode}\n{doctor}\n--- invoke\n{invoke}");
        return (doctor, doctor.Stdout.Split('\n').First(l => l.StartsWith('✘')));
    }

    [RealFabricFact]
    public async Task Healthy_setup_passes_every_check()
    {
        var outcome = await network.Fabinvoke(AsDoctor(network.InvokeArgs(Ctor)));
        DoctorTimes.Record(network, nameof(Healthy_setup_passes_every_check), outcome);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var lines = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("✔ ", l, StringComparison.Ordinal));
        Assert.Contains($"✔ service {network.Org1PeerAddress}: Endorser, Deliver answering", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains($"✔ service {network.Org2PeerAddress}: Endorser, Deliver answering", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains($"✔ service {network.OrdererAddress}: AtomicBroadcast answering", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("✔ identity role: client", outcome.Stdout, StringComparison.Ordinal);
        Assert.Empty(outcome.ErrorLines);
        await GoCliVerdict.AssertAgrees(network, new Dictionary<string, string?>(), network.InvokeArgs(Ctor), 0);
    }

    [RealFabricFact]
    public async Task Healthy_setup_in_json_has_every_check_passed()
    {
        var outcome = await network.Fabinvoke([.. AsDoctor(network.InvokeArgs(Ctor)), "--output", "json"]);
        DoctorTimes.Record(network, nameof(Healthy_setup_in_json_has_every_check_passed), outcome);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        using var json = JsonDocument.Parse(outcome.Stdout);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.All(json.RootElement.GetProperty("checks").EnumerateArray(), c => Assert.Equal("pass", c.GetProperty("outcome").GetString()));
    }

    [RealFabricFact]
    public async Task Wrong_TLS_root_names_the_peer_and_both_CA_subjects()
    {
        var args = network.InvokeArgs(Ctor);
        args[args.IndexOf(network.Org1PeerCa)] = network.Org2PeerCa;

        var (_, first) = await DiagnoseAsync(new(), args, 4);

        Assert.StartsWith($"✘ tls {network.Org1PeerAddress}: server certificate not signed by the TLS root given", first, StringComparison.Ordinal);
        Assert.Contains("issued by 'CN=tlsca.org1.example.com, O=org1.example.com, L=San Francisco, S=California, C=US' (key id ", first, StringComparison.Ordinal);
        Assert.Contains("the TLS root given is 'CN=tlsca.org2.example.com, O=org2.example.com, L=San Francisco, S=California, C=US' (key id ", first, StringComparison.Ordinal);
        Assert.Contains($"as --tlsRootCertFiles (in --peerAddresses order) for {network.Org1PeerAddress}", first, StringComparison.Ordinal);
        await GoCliVerdict.AssertAgrees(network, new Dictionary<string, string?>(), args, 4);
    }

    [RealFabricFact]
    public async Task Host_name_mismatch_names_the_override()
    {
        var env = new Dictionary<string, string?> { ["CORE_PEER_TLS_SERVERHOSTOVERRIDE"] = "wrong.example.com" };

        var (_, first) = await DiagnoseAsync(env, network.InvokeArgs(Ctor), 4);

        Assert.StartsWith($"✘ tls {network.Org1PeerAddress}: server certificate not valid for host name wrong.example.com", first, StringComparison.Ordinal);
        Assert.Contains("names peer0.org1.example.com, peer0, localhost, 127.0.0.1, not wrong.example.com", first, StringComparison.Ordinal);
        Assert.Contains("fix: remove CORE_PEER_TLS_SERVERHOSTOVERRIDE (it is wrong.example.com;", first, StringComparison.Ordinal);
        await GoCliVerdict.AssertAgrees(network, env, network.InvokeArgs(Ctor), 4);
    }

    [RealFabricFact]
    public async Task Key_that_does_not_match_the_certificate_exits_3()
    {
        var msp = BrokenIdentities.KeyOfAnother(network.IdentityMsp(1), network.IdentityMsp(1, "Admin"), Path.Combine(_scratch, "msp"));

        var (_, first) = await DiagnoseAsync(new() { ["CORE_PEER_MSPCONFIGPATH"] = msp }, network.InvokeArgs(Ctor), 3);

        Assert.StartsWith($"✘ identity {msp}: the signing identity cannot be loaded", first, StringComparison.Ordinal);
        Assert.Contains("no private key in the MSP keystore matches the signing certificate", first, StringComparison.Ordinal);
        Assert.Contains("fix: put the private key of the signing certificate in keystore/", first, StringComparison.Ordinal);
        await GoCliVerdict.AssertAgrees(network, new Dictionary<string, string?> { ["CORE_PEER_MSPCONFIGPATH"] = msp }, network.InvokeArgs(Ctor), 3);
    }

    [RealFabricFact]
    public async Task Expired_certificate_fails_as_the_peers_refuse_it()
    {
        var org = Path.Combine(network.Organizations, "peerOrganizations", "org1.example.com");
        var msp = BrokenIdentities.Expired(org, network.IdentityMsp(1), Path.Combine(_scratch, "expired"));

        var (_, first) = await DiagnoseAsync(new() { ["CORE_PEER_MSPCONFIGPATH"] = msp }, network.InvokeArgs(Ctor), 5);

        Assert.StartsWith("✘ identity certificate: expired 1 day ago — the signing certificate 'CN=Expired@org1.example.com", first, StringComparison.Ordinal);
        Assert.Contains("peers refuse it (access denied)", first, StringComparison.Ordinal);
        await GoCliVerdict.AssertAgrees(network, new Dictionary<string, string?> { ["CORE_PEER_MSPCONFIGPATH"] = msp }, network.InvokeArgs(Ctor), 5);
    }

    [RealFabricFact]
    public async Task Unreachable_peer_exits_4_naming_it()
    {
        var closed = ClosedPort.Address();
        var args = network.InvokeArgs(Ctor);
        args[args.IndexOf(network.Org1PeerAddress)] = closed;

        var (doctor, first) = await DiagnoseAsync(new(), args, 4);

        Assert.StartsWith($"✘ node {closed}: peer: cannot connect — connection refused (nothing listens there); fix: check that the peer runs and that {closed} is its address in --peerAddresses", first, StringComparison.Ordinal);
        Assert.Contains($"✔ service {network.Org2PeerAddress}: Endorser, Deliver answering", doctor.Stdout, StringComparison.Ordinal);
        await GoCliVerdict.AssertAgrees(network, new Dictionary<string, string?>(), args, 4);
    }

    [RealFabricFact]
    public async Task Orderer_host_name_mismatch_names_ordererTLSHostnameOverride()
    {
        var args = network.InvokeArgs(Ctor);
        args.AddRange(["--ordererTLSHostnameOverride", "wrong.example.com"]);

        var (_, first) = await DiagnoseAsync(new(), args, 4);

        Assert.StartsWith($"✘ tls {network.OrdererAddress}: server certificate not valid for host name wrong.example.com", first, StringComparison.Ordinal);
        Assert.Contains("fix: remove --ordererTLSHostnameOverride", first, StringComparison.Ordinal);
        await GoCliVerdict.AssertAgrees(network, new Dictionary<string, string?>(), args, 4);
    }
}

/// <summary>Doctor against Fabric 2.4.9 (one etcdraft orderer).</summary>
[Collection("fabric-2.4.9")]
public sealed class DoctorTests249(Fabric249 network) : DoctorTests(network);

/// <summary>Doctor against Fabric 3.0.0 (four BFT orderers; Org2's peer has an Ed25519 TLS certificate).</summary>
[Collection("fabric-3.0.0")]
public sealed class DoctorTests300(Fabric300 network) : DoctorTests(network);

/// <summary>
/// Doctor against a network whose every node requires client certificates, given none: the invoke fails at the
/// connection (exit 4); doctor names the node whose services refused and how to give a certificate.
/// </summary>
public abstract class DoctorMutualTlsTests(RealNetwork network)
{
    [RealFabricFact]
    public async Task Without_a_client_certificate_the_first_failure_names_the_peer_and_exits_as_the_invoke()
    {
        var args = network.InvokeArgs("""{"Args":["Put","doctor-mtls","v"]}""");
        args.RemoveRange(args.IndexOf("--clientauth"), 5);
        var noClientCertificate = new Dictionary<string, string?>
        {
            ["CORE_PEER_TLS_CLIENTAUTHREQUIRED"] = null,
            ["CORE_PEER_TLS_CLIENTCERT_FILE"] = null,
            ["CORE_PEER_TLS_CLIENTKEY_FILE"] = null,
        };
        var doctor = await network.Fabinvoke(noClientCertificate, ["doctor", .. args.Skip(2)]);
        DoctorTimes.Record(network, nameof(Without_a_client_certificate_the_first_failure_names_the_peer_and_exits_as_the_invoke), doctor);
        var invoke = await network.Fabinvoke(noClientCertificate, [.. args]);

        Assert.True(invoke.ExitCode == 4, invoke.ToString());
        Assert.True(doctor.ExitCode == invoke.ExitCode, $"doctor {doctor}\n--- invoke\n{invoke}");
        var first = doctor.Stdout.Split('\n').First(l => l.StartsWith('✘'));
        Assert.StartsWith($"✘ service {network.Org1PeerAddress}: mutual TLS required, no client certificate given — ", first, StringComparison.Ordinal);
        Assert.Matches("the peer (asked for a TLS client certificate|closed the TLS session during the handshake)", first);
        Assert.Contains("fix: give a TLS client certificate and key with CORE_PEER_TLS_CLIENTAUTHREQUIRED=true, CORE_PEER_TLS_CLIENTCERT_FILE=FILE and CORE_PEER_TLS_CLIENTKEY_FILE=FILE", first, StringComparison.Ordinal);
    }
}

/// <summary>Doctor without a client certificate against Fabric 2.4.9 with mutual TLS.</summary>
[Collection("fabric-mtls")]
public sealed class DoctorMutualTlsTests249(Fabric249Mtls network) : DoctorMutualTlsTests(network);

/// <summary>Doctor without a client certificate against Fabric 3.0.0 with mutual TLS (four BFT orderers).</summary>
[Collection("fabric-3.0.0-mtls")]
public sealed class DoctorMutualTlsTests300(Fabric300Mtls network) : DoctorMutualTlsTests(network);
