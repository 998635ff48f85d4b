using System.Text.Json;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Doctor;

/// <summary>
/// <c>fabinvoke doctor</c> end to end over TLS on DevNet: with the very command line of an invoke (only
/// <c>chaincode invoke</c> replaced by <c>doctor</c>), a healthy setup passes every check and exits 0; each broken
/// setup's first ✘ line names the cause and the fix, and the exit code is the one the real invoke gives for the same
/// settings (run here too, and compared).
/// </summary>
public sealed class DoctorTests : IClassFixture<NetworkFixture>, IDisposable
{
    private const string Ctor = """{"Args":["Put","doctor","v"]}""";
    private readonly NetworkFixture _net;
    private readonly string _scratch = Directory.CreateTempSubdirectory("fabinvoke-doctor-").FullName;

    public DoctorTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string Peer(int i) => _net.Network.Peers[i].Address;

    /// <summary>The invoke's arguments with <c>chaincode invoke</c> replaced by <c>doctor</c>.</summary>
    private static List<string> AsDoctor(List<string> invokeArgs)
    {
        Assert.Equal(["chaincode", "invoke"], invokeArgs.Take(2));
        return ["doctor", .. invokeArgs.Skip(2)];
    }

    /// <summary>Runs doctor and then the real invoke with the same settings; asserts doctor failed with the invoke's exit code.</summary>
    private async Task<(CliOutcome Doctor, string FirstFailure)> DiagnoseAsync(Dictionary<string, string?> env, List<string> invokeArgs, int expectedExitCode)
    {
        var doctor = await CliRun.RunAsync(env, AsDoctor(invokeArgs));
        var invoke = await CliRun.RunAsync(env, invokeArgs);

        Assert.True(invoke.ExitCode == expectedExitCode, "the invoke itself: " + invoke);
        Assert.True(doctor.ExitCode == invoke.ExitCode, $"doctor exited {doctor.ExitCode}, the invoke {invoke.ExitCode}\n{doctor}\n--- invoke\n{invoke}");
        var first = doctor.Stdout.Split('\n').First(l => l.StartsWith('✘'));
        Assert.Single(doctor.ErrorLines);
        return (doctor, first);
    }

    [Fact]
    public async Task Healthy_setup_passes_every_check_and_exits_0()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), AsDoctor(_net.InvokeArgs(Ctor)));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var lines = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("✔ ", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✔ identity key: ECDSA P-256", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✔ identity role: client", StringComparison.Ordinal));
        foreach (var node in new[] { Peer(0), Peer(1), _net.Network.Orderer.Address })
        {
            Assert.Contains(lines, l => l.StartsWith($"✔ node {node}: ", StringComparison.Ordinal) && l.Contains("TCP connect", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"✔ tls {node}: ", StringComparison.Ordinal) && l.Contains("days left", StringComparison.Ordinal));
        }

        Assert.Contains($"✔ service {Peer(0)}: Endorser, Deliver answering", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains($"✔ service {Peer(1)}: Endorser, Deliver answering", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains($"✔ service {_net.Network.Orderer.Address}: AtomicBroadcast answering", outcome.Stdout, StringComparison.Ordinal);
        Assert.Empty(outcome.ErrorLines);
    }

    [Fact]
    public async Task With_FABRIC_LOGGING_SPEC_debug_stderr_tells_where_the_time_went()
    {
        var env = new Dictionary<string, string?>(_net.UserEnvironment()) { ["FABRIC_LOGGING_SPEC"] = "debug" };
        var outcome = await CliRun.RunAsync(env, AsDoctor(_net.InvokeArgs(Ctor)));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var phases = outcome.Stderr.Split('\n').SingleOrDefault(l => l.Contains("doctor -> phases: start-up ", StringComparison.Ordinal));
        Assert.True(phases is not null, outcome.ToString());
        foreach (var phase in new[] { "identity ", "nodes (TCP, TLS) ", "definition query ", "policy ", "checks ", "total " })
        {
            Assert.Contains(phase, phases, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("phases:", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_the_gateway_the_Gateway_service_is_reported_once()
    {
        var args = AsDoctor(_net.InvokeArgs(Ctor));
        args.RemoveRange(args.IndexOf("-o"), 2); // the gateway orders itself
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), [.. args, "--gateway"]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var lines = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var gateway = lines.Where(l => l.Contains("Gateway service", StringComparison.Ordinal) || l.Contains("Gateway answering", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"✔ gateway {Peer(0)}: Gateway service enabled"], gateway);
        Assert.Contains(lines, l => l.StartsWith($"✔ service {Peer(0)}: Endorser, Deliver answering", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_sends_no_transaction()
    {
        var heights = _net.Network.Peers.Select(p => p.Height).ToList();

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), AsDoctor(_net.InvokeArgs(Ctor)));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(heights, _net.Network.Peers.Select(p => p.Height).ToList());
        Assert.DoesNotContain("txid", outcome.Stdout + outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_TLS_root_exits_4_naming_the_peer_and_both_CA_subjects()
    {
        var args = _net.InvokeArgs(Ctor);
        var root = args.IndexOf(_net.Network.Peers[0].TlsRootCertFile);
        args[root] = _net.Network.Peers[1].TlsRootCertFile;

        var (doctor, first) = await DiagnoseAsync(_net.UserEnvironment(), args, 4);

        Assert.StartsWith($"✘ tls {Peer(0)}: server certificate not signed by the TLS root given", first, StringComparison.Ordinal);
        Assert.Contains("issued by 'C=US, S=California, L=San Francisco, O=org1.example.com, CN=tlsca.org1.example.com' (key id ", first, StringComparison.Ordinal);
        Assert.Contains("the TLS root given is 'C=US, S=California, L=San Francisco, O=org2.example.com, CN=tlsca.org2.example.com' (key id ", first, StringComparison.Ordinal);
        Assert.Contains("fix: give the CA certificate 'C=US, S=California, L=San Francisco, O=org1.example.com, CN=tlsca.org1.example.com'", first, StringComparison.Ordinal);
        Assert.Contains($"as --tlsRootCertFiles (in --peerAddresses order) for {Peer(0)}", first, StringComparison.Ordinal);
        Assert.Contains($"✔ tls {Peer(1)}: ", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Peer_host_name_mismatch_names_the_override_that_fixes_it()
    {
        var env = _net.UserEnvironment();
        env["CORE_PEER_TLS_SERVERHOSTOVERRIDE"] = "wrong.example.com";

        var (_, first) = await DiagnoseAsync(env, _net.InvokeArgs(Ctor), 4);

        Assert.StartsWith($"✘ tls {Peer(0)}: server certificate not valid for host name wrong.example.com", first, StringComparison.Ordinal);
        Assert.Contains("not wrong.example.com", first, StringComparison.Ordinal);
        Assert.Contains("fix: remove CORE_PEER_TLS_SERVERHOSTOVERRIDE (it is wrong.example.com; the certificate is valid for 127.0.0.1, the address given)", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orderer_host_name_mismatch_names_ordererTLSHostnameOverride()
    {
        var args = _net.InvokeArgs(Ctor);
        args.AddRange(["--ordererTLSHostnameOverride", "wrong.example.com"]);

        var (_, first) = await DiagnoseAsync(_net.UserEnvironment(), args, 4);

        Assert.StartsWith($"✘ tls {_net.Network.Orderer.Address}: server certificate not valid for host name wrong.example.com", first, StringComparison.Ordinal);
        Assert.Contains("fix: remove --ordererTLSHostnameOverride", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_that_does_not_match_the_certificate_exits_3_naming_the_keystore()
    {
        var msp = BrokenIdentities.KeyOfAnother(_net.Network.User(1).MspDirectory, _net.Network.Admin(1).MspDirectory, Path.Combine(_scratch, "msp"));
        var env = _net.UserEnvironment();
        env["CORE_PEER_MSPCONFIGPATH"] = msp;

        var (doctor, first) = await DiagnoseAsync(env, _net.InvokeArgs(Ctor), 3);

        Assert.StartsWith($"✘ identity {msp}: the signing identity cannot be loaded", first, StringComparison.Ordinal);
        Assert.Contains($"no private key in the MSP keystore matches the signing certificate {Path.Combine(msp, "signcerts")}", first, StringComparison.Ordinal);
        Assert.Contains("fix: put the private key of the signing certificate in keystore/", first, StringComparison.Ordinal);
        Assert.Contains($"- channel {_net.Network.ChannelId}: services, channel and chaincode not checked: the signing identity did not load", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_signing_certificate_fails_as_the_peers_refuse_it()
    {
        var user = _net.Network.User(1).MspDirectory;
        var org = Path.GetFullPath(Path.Combine(user, "..", "..", ".."));
        var msp = BrokenIdentities.Expired(org, user, Path.Combine(_scratch, "expired"));
        var env = _net.UserEnvironment();
        env["CORE_PEER_MSPCONFIGPATH"] = msp;

        var (doctor, first) = await DiagnoseAsync(env, _net.InvokeArgs(Ctor), 5);

        Assert.StartsWith("✘ identity certificate: expired 1 day ago — the signing certificate 'CN=Expired@org1.example.com", first, StringComparison.Ordinal);
        Assert.Contains("peers refuse it (access denied)", first, StringComparison.Ordinal);
        Assert.Contains("fix: have the organisation's CA issue a new certificate", first, StringComparison.Ordinal);
        Assert.Contains($"✔ identity {msp}: Org1MSP certificate 'CN=Expired@org1.example.com", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_peer_exits_4_naming_it()
    {
        var closed = ClosedPort.Address();
        var args = _net.InvokeArgs(Ctor);
        args[args.IndexOf(Peer(1))] = closed;

        var (doctor, first) = await DiagnoseAsync(_net.UserEnvironment(), args, 4);

        Assert.StartsWith($"✘ node {closed}: peer: cannot connect — connection refused (nothing listens there); fix: check that the peer runs and that {closed} is its address in --peerAddresses", first, StringComparison.Ordinal);
        Assert.Contains($"✔ service {Peer(0)}: Endorser, Deliver answering", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopped_orderer_exits_as_the_invoke_does_naming_it()
    {
        var orderer = _net.Network.Orderer;
        await orderer.StopAsync();
        try
        {
            var (_, first) = await DiagnoseAsync(_net.UserEnvironment(), _net.InvokeArgs(Ctor), 4);

            Assert.StartsWith($"✘ node {orderer.Address}: orderer: cannot connect — connection refused", first, StringComparison.Ordinal);
            Assert.Contains("fix: check that the orderer runs", first, StringComparison.Ordinal);
        }
        finally
        {
            await orderer.StartAsync();
        }
    }

    [Fact]
    public async Task Json_output_is_one_object_with_every_check_and_the_exit_code()
    {
        var args = _net.InvokeArgs(Ctor);
        args[args.IndexOf(_net.Network.Peers[0].TlsRootCertFile)] = _net.Network.Peers[1].TlsRootCertFile;
        args.AddRange(["--output", "json"]);

        var broken = await CliRun.RunAsync(_net.UserEnvironment(), AsDoctor(args));
        var healthy = await CliRun.RunAsync(_net.UserEnvironment(), AsDoctor([.. _net.InvokeArgs(Ctor), "--output", "json"]));

        Assert.True(broken.ExitCode == 4, broken.ToString());
        using var json = JsonDocument.Parse(broken.Stdout);
        var root = json.RootElement;
        Assert.Equal(["ok", "exit_code", "checks"], root.EnumerateObject().Select(p => p.Name));
        Assert.False(root.GetProperty("ok").GetBoolean());
        Assert.Equal(4, root.GetProperty("exit_code").GetInt32());
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.All(checks, c => Assert.Equal(["area", "subject", "outcome", "summary", "reason", "fix", "exit_code", "elapsed_ms"], c.EnumerateObject().Select(p => p.Name)));
        var failed = Assert.Single(checks, c => c.GetProperty("outcome").GetString() == "fail");
        Assert.Equal("tls", failed.GetProperty("area").GetString());
        Assert.Equal(Peer(0), failed.GetProperty("subject").GetString());
        Assert.Equal(4, failed.GetProperty("exit_code").GetInt32());
        Assert.Contains("--tlsRootCertFiles", failed.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.All(checks.Where(c => c.GetProperty("outcome").GetString() == "pass"), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("exit_code").ValueKind));

        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        using var ok = JsonDocument.Parse(healthy.Stdout);
        Assert.True(ok.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(0, ok.RootElement.GetProperty("exit_code").GetInt32());
        Assert.All(ok.RootElement.GetProperty("checks").EnumerateArray(), c => Assert.Equal("pass", c.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task Usage_errors_are_the_invokes()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), ["doctor", "-n", "basic", "--peerAddresses", Peer(0)]);
        var invoke = await CliRun.RunAsync(_net.UserEnvironment(), ["chaincode", "invoke", "-n", "basic", "--peerAddresses", Peer(0)]);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal(invoke.ErrorLines, outcome.ErrorLines);
    }
}
