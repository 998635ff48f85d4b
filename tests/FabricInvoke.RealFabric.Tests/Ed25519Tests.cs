using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests;

/// <summary>
/// Fabric 3's Ed25519 identities on the real 3.0.0 network, as Org2 User1 (Ed25519 signing key and certificate;
/// Org2's peer has an Ed25519 TLS certificate): invoke, query, <c>--gateway</c> and events all work, and the Go CLI
/// reads back what was written. On 915bde3 every one of these exited 3 ("only ECDSA P-256 and P-384 identities").
/// </summary>
[Collection("fabric-3.0.0")]
public sealed class Ed25519Tests(Fabric300 network)
{
    private Dictionary<string, string?> Org2User1() => new()
    {
        ["CORE_PEER_LOCALMSPID"] = "Org2MSP",
        ["CORE_PEER_MSPCONFIGPATH"] = network.IdentityMsp(2),
        ["CORE_PEER_ADDRESS"] = network.Org2PeerAddress,
        ["CORE_PEER_TLS_ROOTCERT_FILE"] = network.Org2PeerCa,
    };

    [RealFabricFact]
    public void Org2_user1_and_org2s_peer_really_have_ed25519_keys()
    {
        var signcert = Directory.GetFiles(Path.Combine(network.IdentityMsp(2), "signcerts")).Single();
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(signcert);
        Assert.Equal("1.3.101.112", certificate.PublicKey.Oid.Value);
        var peerTls = Path.Combine(network.Organizations, "peerOrganizations", "org2.example.com", "peers", "peer0.org2.example.com", "tls", "server.crt");
        using var server = X509CertificateLoader.LoadCertificateFromFile(peerTls);
        Assert.Equal("1.3.101.112", server.PublicKey.Oid.Value);
    }

    [RealFabricFact]
    public async Task Invoke_commits_on_both_peers_and_events_show_it()
    {
        var key = $"ed25519-{Guid.NewGuid():N}";
        var args = network.InvokeArgs($$"""{"Args":["Put","{{key}}","signed by ed25519"]}""");
        args.AddRange(["--output", "json"]);

        var outcome = await network.Fabinvoke(Org2User1(), [.. args]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        using var json = JsonDocument.Parse(outcome.Stdout);
        var commits = json.RootElement.GetProperty("commits").EnumerateArray().ToList();
        Assert.Equal(2, commits.Count);
        Assert.All(commits, c => Assert.Equal("VALID", c.GetProperty("validationCode").GetString()));
        Assert.Equal("signed by ed25519", await network.Query(key));

        // The seek envelopes of both kinds of event stream are signed by the Ed25519 identity too.
        var block = commits[0].GetProperty("block").GetUInt64().ToString(CultureInfo.InvariantCulture);
        var txid = json.RootElement.GetProperty("txid").GetString();
        await Ed25519Scenarios.BothEventStreamsShow(network, Org2User1(), block, txid, key);
    }

    [RealFabricFact]
    public Task Query_on_the_ed25519_peer_reads_what_the_go_cli_wrote() => Ed25519Scenarios.QueryReadsWhatTheGoCliWrote(network, Org2User1(), "ed25519-q-");

    [RealFabricFact]
    public Task Gateway_invoke_commits_and_gateway_query_reads_it() => Ed25519Scenarios.GatewayInvokeCommitsAndGatewayQueryReadsIt(network, Org2User1(), "ed25519-gw-");
}
