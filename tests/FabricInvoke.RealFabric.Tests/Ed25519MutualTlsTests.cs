using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>
/// Fabric 3's Ed25519 TLS client certificates on the real 3.0.0 network where every node requires one: Org2 User1
/// (Ed25519 signing key, Ed25519 TLS client certificate) presents its certificate to both peers and the BFT orderers
/// for invoke, query, <c>--gateway</c> and both kinds of event stream (whose seek carries the certificate's hash),
/// as the Go CLI does. Until fabinvoke carried TLS in BouncyCastle for such a certificate, every one of these exited 3
/// ("the TLS client certificate has an Ed25519 key, which .NET's TLS cannot present").
/// </summary>
[Collection("fabric-3.0.0-mtls")]
public sealed class Ed25519MutualTlsTests(Fabric300Mtls network)
{
    private string ClientCert => Path.Combine(network.IdentityTls(2), "client.crt");

    private string ClientKey => Path.Combine(network.IdentityTls(2), "client.key");

    /// <summary>Org2 User1 with its TLS client certificate for peers (network.env has Org1 User1's).</summary>
    private Dictionary<string, string?> Org2User1() => new()
    {
        ["CORE_PEER_LOCALMSPID"] = "Org2MSP",
        ["CORE_PEER_MSPCONFIGPATH"] = network.IdentityMsp(2),
        ["CORE_PEER_ADDRESS"] = network.Org2PeerAddress,
        ["CORE_PEER_TLS_ROOTCERT_FILE"] = network.Org2PeerCa,
        ["CORE_PEER_TLS_CLIENTAUTHREQUIRED"] = "true",
        ["CORE_PEER_TLS_CLIENTCERT_FILE"] = ClientCert,
        ["CORE_PEER_TLS_CLIENTKEY_FILE"] = ClientKey,
    };

    /// <summary>The usual invoke, with Org2 User1's TLS pair for the orderer instead of Org1's.</summary>
    private List<string> InvokeArgs(string ctorJson)
    {
        var args = network.InvokeArgs(ctorJson);
        args[args.IndexOf("--certfile") + 1] = ClientCert;
        args[args.IndexOf("--keyfile") + 1] = ClientKey;
        return args;
    }

    [RealFabricFact]
    public void Org2_user1s_tls_client_certificate_and_org2s_peer_certificate_are_ed25519()
    {
        using var client = X509CertificateLoader.LoadCertificateFromFile(ClientCert);
        Assert.Equal("1.3.101.112", client.PublicKey.Oid.Value);
        Assert.Contains(client.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.2");
        var peerTls = Path.Combine(network.Organizations, "peerOrganizations", "org2.example.com", "peers", "peer0.org2.example.com", "tls", "server.crt");
        using var server = X509CertificateLoader.LoadCertificateFromFile(peerTls);
        Assert.Equal("1.3.101.112", server.PublicKey.Oid.Value);
    }

    [RealFabricFact]
    public async Task Invoke_commits_on_both_peers_as_with_the_go_cli_and_both_event_streams_show_it()
    {
        var key = $"ed25519-mtls-{Guid.NewGuid():N}";
        var goKey = key + "-go";
        var go = await network.PeerCli(Org2User1(), [.. InvokeArgs($$"""{"Args":["Put","{{goKey}}","by the go cli"]}""")]);
        Assert.True(go.ExitCode == 0, go.ToString());
        var args = InvokeArgs($$"""{"Args":["Put","{{key}}","ed25519 tls"]}""");
        args.AddRange(["--output", "json"]);

        var outcome = await network.Fabinvoke(Org2User1(), [.. args]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        using var json = JsonDocument.Parse(outcome.Stdout);
        var commits = json.RootElement.GetProperty("commits").EnumerateArray().ToList();
        Assert.Equal(2, commits.Count);
        Assert.All(commits, c => Assert.Equal("VALID", c.GetProperty("validationCode").GetString()));
        Assert.Equal("ed25519 tls", await network.Query(key));
        Assert.Equal("by the go cli", await network.Query(goKey));

        // Deliver (DeliverFiltered-style seek bound to the Ed25519 certificate's hash) and the Gateway's ChaincodeEvents.
        var block = commits[0].GetProperty("block").GetUInt64().ToString(CultureInfo.InvariantCulture);
        var txid = json.RootElement.GetProperty("txid").GetString();
        await Ed25519Scenarios.BothEventStreamsShow(network, Org2User1(), block, txid, key);
    }

    [RealFabricFact]
    public Task Query_reads_what_the_go_cli_wrote() => Ed25519Scenarios.QueryReadsWhatTheGoCliWrote(network, Org2User1(), "ed25519-mtls-q-");

    [RealFabricFact]
    public Task Gateway_invoke_commits_and_gateway_query_reads_it() => Ed25519Scenarios.GatewayInvokeCommitsAndGatewayQueryReadsIt(network, Org2User1(), "ed25519-mtls-gw-");

    [RealFabricFact]
    public async Task A_wrong_tls_root_is_refused_with_the_same_words_and_exit_code_as_with_an_ecdsa_certificate()
    {
        // The server certificate check is SslStream's on one path and BouncyCastle's on the other: same verdict, same line.
        string[] args = ["chaincode", "query", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "-c", """{"Args":["Get","nothing"]}""",
            "--peerAddresses", network.Org2PeerAddress, "--tlsRootCertFiles", network.Org1PeerCa, "--connTimeout", "3s"];

        var ed25519 = await network.Fabinvoke(Org2User1(), args);
        var ecdsa = await network.Fabinvoke(args);

        Assert.Equal(4, ed25519.ExitCode);
        Assert.Equal(ecdsa.ExitCode, ed25519.ExitCode);
        Assert.Contains("TLS handshake failed: the server certificate 'CN=peer0.org2.example.com", ed25519.Stderr, StringComparison.Ordinal);
        Assert.Contains($"does not chain to the TLS root certificate(s) in {network.Org1PeerCa}", ed25519.Stderr, StringComparison.Ordinal);
        Assert.Equal(WithoutTxid(ecdsa.Stderr), WithoutTxid(ed25519.Stderr));
    }

    private static string WithoutTxid(string stderr) => System.Text.RegularExpressions.Regex.Replace(stderr, "txid: [0-9a-f]{64}", "txid: …");
}
