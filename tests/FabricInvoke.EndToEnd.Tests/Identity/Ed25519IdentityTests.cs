using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Identity;

/// <summary>
/// Fabric 3's Ed25519 identities end to end over TLS: an Org2 user whose MSP folder holds a PKCS#8 Ed25519 key and an
/// Ed25519 signing certificate (as cryptogen 3.0 writes it) invokes, queries, goes through the Gateway and follows
/// events; DevNet's peers and orderer verify each of its signatures (proposal, transaction, seek, gateway request).
/// </summary>
public sealed class Ed25519IdentityTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public Ed25519IdentityTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private Dictionary<string, string?> Ed25519Environment()
    {
        var user = _net.Network.CreateEd25519Identity(2);
        var env = _net.UserEnvironment(2);
        env["CORE_PEER_LOCALMSPID"] = user.MspId;
        env["CORE_PEER_MSPCONFIGPATH"] = user.MspDirectory;
        return env;
    }

    private List<string> WithPeers(List<string> args, int count)
    {
        foreach (var peer in _net.Network.Peers.Take(count))
        {
            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile]);
        }

        return args;
    }

    [Fact]
    public async Task An_ed25519_user_invokes_queries_uses_the_gateway_and_follows_events()
    {
        var env = Ed25519Environment();
        Assert.Contains("BEGIN PRIVATE KEY", File.ReadAllText(Path.Combine(env["CORE_PEER_MSPCONFIGPATH"]!, "keystore", "priv_sk")), StringComparison.Ordinal);

        // The program as a separate process: endorse on both orgs, order, wait for both peers' DeliverFiltered.
        var invoked = await FabinvokeProcess.RunUnderShellAsync(env, string.Empty, [.. _net.InvokeArgs("""{"Args":["Put","ed25519","direct"]}""")]);
        Assert.Equal(0, invoked);

        var query = await CliRun.RunAsync(env, WithPeers(["chaincode", "query", "-C", _net.Network.ChannelId, "-n", "basic", "-c", """{"Args":["Get","ed25519"]}"""], 1));
        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.Equal("direct\n", query.Stdout);

        var waited = await CliRun.RunAsync(env, _net.InvokeArgs("""{"Args":["Put","ed25519-wait","direct"]}"""));
        Assert.True(waited.ExitCode == 0, waited.ToString());
        foreach (var peer in _net.Network.Peers)
        {
            Assert.Contains($"committed with status (VALID) at {peer.Address}", waited.Stderr, StringComparison.Ordinal);
        }

        var gateway = await CliRun.RunAsync(
            env,
            WithPeers(["chaincode", "invoke", "--gateway", "-C", _net.Network.ChannelId, "-n", "basic", "-c", """{"Args":["Put","ed25519","gateway"]}""", "--waitForEvent"], 1));
        Assert.True(gateway.ExitCode == 0, gateway.ToString());
        Assert.Contains($"committed with status (VALID) at {_net.Network.Peers[0].Address}", gateway.Stderr, StringComparison.Ordinal);

        var gatewayQuery = await CliRun.RunAsync(
            env,
            WithPeers(["chaincode", "query", "--gateway", "-C", _net.Network.ChannelId, "-n", "basic", "-c", """{"Args":["Get","ed25519"]}"""], 1));
        Assert.True(gatewayQuery.ExitCode == 0, gatewayQuery.ToString());
        Assert.Equal("gateway\n", gatewayQuery.Stdout);

        var events = await CliRun.RunAsync(
            env, WithPeers(["events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--start", "oldest", "--event", "Put", "--count", "3"], 2));
        Assert.True(events.ExitCode == 0, events.ToString());
        Assert.Equal(
            ["payload=ed25519", "payload=ed25519-wait", "payload=ed25519"],
            events.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[l.IndexOf("payload=", StringComparison.Ordinal)..]));

        var gatewayEvents = await CliRun.RunAsync(
            env, WithPeers(["events", "chaincode", "--gateway", "-C", _net.Network.ChannelId, "-n", "basic", "--start", "oldest", "--event", "Put", "--count", "3"], 1));
        Assert.True(gatewayEvents.ExitCode == 0, gatewayEvents.ToString());
        // The same transactions and events (the Gateway's events carry no tx index).
        Assert.Equal(FromTxid(events.Stdout), FromTxid(gatewayEvents.Stdout));
    }

    private static string[] FromTxid(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[l.IndexOf("txid=", StringComparison.Ordinal)..]).ToArray();
}

/// <summary>
/// Under mutual TLS an Ed25519 user presents its Ed25519 TLS client certificate (as cryptogen 3.0 issues it), which
/// fabinvoke carries in BouncyCastle's TLS because SslStream cannot; DevNet's Kestrel requires and checks it. The
/// deliver request carries that certificate's hash and signs it with Ed25519, and DevNet checks both.
/// </summary>
public sealed class Ed25519MutualTlsTests : IClassFixture<MutualTlsNetworkFixture>
{
    private readonly MutualTlsNetworkFixture _net;

    public Ed25519MutualTlsTests(MutualTlsNetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Fact]
    public async Task An_ed25519_user_invokes_over_mutual_TLS_with_its_ed25519_client_certificate_and_the_hash_bound()
    {
        var user = _net.Network.CreateEd25519Identity(1);
        using (var tlsCertificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(user.TlsCertFile))
        {
            Assert.Equal("1.3.101.112", tlsCertificate.PublicKey.Oid.Value);
        }

        var env = _net.UserEnvironment();
        env["CORE_PEER_LOCALMSPID"] = user.MspId;
        env["CORE_PEER_MSPCONFIGPATH"] = user.MspDirectory;
        env["CORE_PEER_TLS_CLIENTAUTHREQUIRED"] = "true";
        env["CORE_PEER_TLS_CLIENTCERT_FILE"] = user.TlsCertFile;
        env["CORE_PEER_TLS_CLIENTKEY_FILE"] = user.TlsKeyFile;
        var args = _net.InvokeArgs("""{"Args":["Put","ed25519-mtls","yes"]}""");
        args.AddRange(["--clientauth", "--certfile", user.TlsCertFile, "--keyfile", user.TlsKeyFile]);

        var outcome = await CliRun.RunAsync(env, args);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        foreach (var peer in _net.Network.Peers)
        {
            Assert.Contains($"committed with status (VALID) at {peer.Address}", outcome.Stderr, StringComparison.Ordinal);
        }

        // DevNet refuses a mutual-TLS deliver request whose tls_cert_hash is not the connection's certificate's (as
        // Fabric does), so both the invoke's wait above and this stream prove the binding under an Ed25519 signature.
        var events = new List<string> { "events", "blocks", "-C", _net.Network.ChannelId, "--start", "oldest", "--count", "1" };
        events.AddRange(["--peerAddresses", _net.Network.Peers[0].Address, "--tlsRootCertFiles", _net.Network.Peers[0].TlsRootCertFile]);
        var seen = await CliRun.RunAsync(env, events);
        Assert.True(seen.ExitCode == 0, seen.ToString());
    }

    [Fact]
    public async Task A_wrong_tls_root_is_refused_with_the_ecdsa_paths_words_and_exit_code()
    {
        // BouncyCastle's handshake judges the server as SslStream's does: the same line, the same exit code.
        var user = _net.Network.CreateEd25519Identity(1);
        var ecdsa = _net.UserEnvironment();
        ecdsa["CORE_PEER_TLS_CLIENTCERT_FILE"] = _net.Network.User(1).TlsCertFile;
        ecdsa["CORE_PEER_TLS_CLIENTKEY_FILE"] = _net.Network.User(1).TlsKeyFile;
        var ed25519 = _net.UserEnvironment();
        ed25519["CORE_PEER_LOCALMSPID"] = user.MspId;
        ed25519["CORE_PEER_MSPCONFIGPATH"] = user.MspDirectory;
        ed25519["CORE_PEER_TLS_CLIENTCERT_FILE"] = user.TlsCertFile;
        ed25519["CORE_PEER_TLS_CLIENTKEY_FILE"] = user.TlsKeyFile;
        foreach (var env in new[] { ecdsa, ed25519 })
        {
            env["CORE_PEER_TLS_CLIENTAUTHREQUIRED"] = "true";
        }

        var peer = _net.Network.Peers[0];
        List<string> args = ["chaincode", "query", "-C", _net.Network.ChannelId, "-n", "basic", "-c", """{"Args":["Get","k"]}""",
            "--peerAddresses", peer.Address, "--tlsRootCertFiles", _net.Network.Peers[1].TlsRootCertFile]; // the other org's TLS CA

        var withEd25519 = await CliRun.RunAsync(ed25519, args);
        var withEcdsa = await CliRun.RunAsync(ecdsa, args);

        Assert.Equal(4, withEd25519.ExitCode);
        Assert.Equal(withEcdsa.ExitCode, withEd25519.ExitCode);
        Assert.Contains($"does not chain to the TLS root certificate(s) in {_net.Network.Peers[1].TlsRootCertFile}", withEd25519.Stderr, StringComparison.Ordinal);
        Assert.Equal(WithoutTxid(withEcdsa.Stderr), WithoutTxid(withEd25519.Stderr));
    }

    private static string WithoutTxid(string stderr) => System.Text.RegularExpressions.Regex.Replace(stderr, "txid: [0-9a-f]{64}", "txid: …");
}
