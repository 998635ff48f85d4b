using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>Peers and orderer that require client certificates; deliver requests carry the TLS certificate hash.</summary>
public sealed class MutualTlsTests : IClassFixture<MutualTlsNetworkFixture>
{
    private readonly MutualTlsNetworkFixture _net;

    public MutualTlsTests(MutualTlsNetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Fact]
    public async Task Invoke_over_mutual_TLS_with_the_certificate_hash_bound_commits_VALID()
    {
        var (env, args) = _net.MutualTlsCommand("""{"Args":["Put","mtls","yes"]}""");

        var outcome = await CliRun.RunAsync(env, args);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        foreach (var peer in _net.Network.Peers)
        {
            Assert.Contains($"committed with status (VALID) at {peer.Address}", outcome.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_a_client_certificate_the_peer_refuses_the_connection_and_the_invoke_exits_4()
    {
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","mtls","no"]}"""));

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("Error: cannot connect to peer 127.0.0.1:", error, StringComparison.Ordinal);
        Assert.Matches("the peer (asked for a TLS client certificate|closed the TLS session during the handshake)", error);
        Assert.Contains("give one with CORE_PEER_TLS_CLIENTAUTHREQUIRED=true, CORE_PEER_TLS_CLIENTCERT_FILE=FILE and CORE_PEER_TLS_CLIENTKEY_FILE=FILE", error, StringComparison.Ordinal);
        AssertNoDotNetInternals(error);
    }

    [Fact]
    public async Task Without_clientauth_the_orderer_refuses_the_connection_and_the_invoke_exits_4_saying_which_flags_give_a_certificate()
    {
        // The peers get their client certificate from the environment; the orderer flags are left out.
        var (env, args) = _net.MutualTlsCommand("""{"Args":["Put","mtls","orderer"]}""");
        args.RemoveRange(args.IndexOf("--clientauth"), 5);

        var outcome = await CliRun.RunAsync(env, args);

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith($"Error: cannot connect to orderer {_net.Network.Orderer.Address}: the orderer ", error, StringComparison.Ordinal);
        Assert.Matches("the orderer (asked for a TLS client certificate|closed the TLS session during the handshake)", error);
        Assert.Contains("give one with --clientauth --certfile FILE --keyfile FILE", error, StringComparison.Ordinal);
        AssertNoDotNetInternals(error);
    }

    [Fact]
    public async Task A_peer_certificate_from_another_CA_is_reported_as_such_even_when_no_client_certificate_was_given()
    {
        // Both are wrong; the server certificate's refusal is what the handshake failed on, so it is what is said.
        var args = _net.InvokeArgs("""{"Args":["Put","mtls","ca"]}""");
        foreach (var peer in _net.Network.Peers)
        {
            args[args.IndexOf(peer.TlsRootCertFile)] = _net.Network.Orderer.TlsRootCertFile;
        }

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Matches("cannot connect to peer 127.0.0.1:[0-9]+: TLS handshake failed", error);
        Assert.DoesNotContain("client certificate", error, StringComparison.Ordinal);
    }

    /// <summary>No .NET exception text (nor an escaped newline) reaches the line a user reads.</summary>
    private static void AssertNoDotNetInternals(string error)
    {
        Assert.DoesNotContain(@"\n", error, StringComparison.Ordinal);
        Assert.DoesNotContain("disposed object", error, StringComparison.Ordinal);
        Assert.DoesNotContain("SslStream", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Operation failed with error", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_key_that_does_not_match_the_certificate_exits_3_naming_the_key_file()
    {
        var (env, args) = _net.MutualTlsCommand("""{"Args":["Put","mtls","bad"]}""");
        env["CORE_PEER_TLS_CLIENTKEY_FILE"] = _net.Network.User(2).TlsKeyFile;

        var outcome = await CliRun.RunAsync(env, args);

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        Assert.Contains(_net.Network.User(2).TlsKeyFile, Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }
}
