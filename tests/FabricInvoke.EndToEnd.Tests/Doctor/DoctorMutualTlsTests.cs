using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Doctor;

/// <summary>
/// <c>fabinvoke doctor</c> against peers and an orderer that require TLS client certificates: with them every check
/// passes; without them the node is named with the variables or flags that give one, and doctor exits as the invoke
/// does (run too, and compared).
/// </summary>
public sealed class DoctorMutualTlsTests : IClassFixture<MutualTlsNetworkFixture>
{
    private const string Ctor = """{"Args":["Put","doctor","mtls"]}""";
    private readonly MutualTlsNetworkFixture _net;

    public DoctorMutualTlsTests(MutualTlsNetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private (Dictionary<string, string?> Env, List<string> Args) MutualTlsCommand() => _net.MutualTlsCommand(Ctor);

    private static List<string> AsDoctor(List<string> invokeArgs) => ["doctor", .. invokeArgs.Skip(2)];

    [Fact]
    public async Task With_client_certificates_every_check_passes()
    {
        var (env, args) = MutualTlsCommand();

        var outcome = await CliRun.RunAsync(env, AsDoctor(args));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.All(outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.StartsWith("✔ ", l, StringComparison.Ordinal));
        Assert.Contains($"✔ service {_net.Network.Orderer.Address}: AtomicBroadcast answering", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_peer_client_certificate_the_fix_names_the_peer_variables()
    {
        var args = _net.InvokeArgs(Ctor);

        var doctor = await CliRun.RunAsync(_net.UserEnvironment(), AsDoctor(args));
        var invoke = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(invoke.ExitCode == 4, invoke.ToString());
        Assert.True(doctor.ExitCode == invoke.ExitCode, $"doctor {doctor}\n--- invoke\n{invoke}");
        var first = doctor.Stdout.Split('\n').First(l => l.StartsWith('✘'));
        Assert.StartsWith($"✘ service {_net.Network.Peers[0].Address}: mutual TLS required, no client certificate given — ", first, StringComparison.Ordinal);
        Assert.Matches("the peer (asked for a TLS client certificate|closed the TLS session during the handshake)", first);
        Assert.Contains("fix: give a TLS client certificate and key with CORE_PEER_TLS_CLIENTAUTHREQUIRED=true, CORE_PEER_TLS_CLIENTCERT_FILE=FILE and CORE_PEER_TLS_CLIENTKEY_FILE=FILE", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_clientauth_for_the_orderer_the_fix_names_the_orderer_flags()
    {
        var (env, args) = MutualTlsCommand();
        args.RemoveRange(args.IndexOf("--clientauth"), 5);

        var doctor = await CliRun.RunAsync(env, AsDoctor(args));
        var invoke = await CliRun.RunAsync(env, args);

        Assert.True(invoke.ExitCode == 4, invoke.ToString());
        Assert.True(doctor.ExitCode == invoke.ExitCode, $"doctor {doctor}\n--- invoke\n{invoke}");
        var first = doctor.Stdout.Split('\n').First(l => l.StartsWith('✘'));
        Assert.StartsWith($"✘ service {_net.Network.Orderer.Address}: ", first, StringComparison.Ordinal);
        Assert.Contains("fix: give a TLS client certificate and key with --clientauth --certfile FILE --keyfile FILE", first, StringComparison.Ordinal);
    }
}
