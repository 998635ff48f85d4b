using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// Connection profiles as the Fabric samples write them (test-network's connection-org1.yaml/.json shape, plus the
/// channels section of the SDK docs): what a command gets from each, and the one line a broken one produces.
/// </summary>
public sealed class ConnectionProfileTests : IDisposable
{
    private static readonly string Org1Cert = File.ReadAllText(Fixtures.PathOf("identities/org1-user1/msp/signcerts/User1@org1.example.com-cert.pem"));

    private readonly string _folder = Directory.CreateTempSubdirectory("fabinvoke-profile-").FullName;

    public ConnectionProfileTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "tls"));
        File.WriteAllText(Path.Combine(_folder, "tls", "org1-ca.pem"), Org1Cert);
        File.WriteAllText(Path.Combine(_folder, "tls", "org2-ca.pem"), Org1Cert);
        File.WriteAllText(Path.Combine(_folder, "tls", "orderer-ca.pem"), Org1Cert);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string TwoOrgYaml = """
        name: test-network
        version: 1.0.0
        client:
          organization: Org2
        organizations:
          Org1:
            mspid: Org1MSP
            peers:
              - peer0.org1.example.com
          Org2:
            mspid: Org2MSP
            peers:
              - peer0.org2.example.com
        peers:
          peer0.org1.example.com:
            url: grpcs://localhost:7051
            tlsCACerts:
              path: tls/org1-ca.pem
            grpcOptions:
              ssl-target-name-override: peer0.org1.example.com
          peer0.org2.example.com:
            url: grpcs://localhost:9051
            tlsCACerts:
              path: tls/org2-ca.pem
            grpcOptions:
              hostnameOverride: peer0.org2.example.com
        orderers:
          orderer.example.com:
            url: grpcs://localhost:7050
            tlsCACerts:
              path: tls/orderer-ca.pem
        channels:
          mychannel:
            orderers:
              - orderer.example.com
            peers:
              peer0.org1.example.com:
                endorsingPeer: true
                chaincodeQuery: false
                ledgerQuery: true
                eventSource: true
              peer0.org2.example.com:
                eventSource: false
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static FabricInvokeException Refused(Action action)
    {
        var e = Assert.Throws<FabricInvokeException>(action);
        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void A_yaml_profile_gives_peers_by_role_with_the_users_organisation_first_and_the_channels_orderer()
    {
        var profile = ConnectionProfile.Load(Write("profile.yaml", TwoOrgYaml));

        var selection = profile.Select("mychannel", "Org2MSP");

        Assert.Equal(["localhost:9051", "localhost:7051"], selection.EndorsingPeers.Select(p => p.Address.ToString()));
        Assert.Equal(["localhost:9051"], selection.QueryPeers.Select(p => p.Address.ToString()));
        Assert.Equal(["localhost:7051"], selection.EventPeers.Select(p => p.Address.ToString()));
        Assert.Equal(["localhost:7050"], selection.Orderers.Select(o => o.Address.ToString()));
        Assert.Equal(["Org2MSP", "Org1MSP"], selection.EndorsingPeers.Select(p => p.MspId));
        Assert.Equal(["peer0.org2.example.com", "peer0.org1.example.com"], selection.EndorsingPeers.Select(p => p.ServerNameOverride));
        Assert.Equal("Org2MSP", profile.ClientMspId);
    }

    [Fact]
    public void Relative_tls_paths_are_resolved_against_the_profiles_folder_not_the_current_one()
    {
        var profile = ConnectionProfile.Load(Write("profile.yaml", TwoOrgYaml));

        var peer = profile.Select("mychannel", null).EndorsingPeers[0];

        Assert.Equal(Path.Combine(_folder, "tls", "org1-ca.pem"), peer.TlsRootCertFile);
        Assert.Equal(Org1Cert, peer.TlsRootPem);
        Assert.True(peer.UseTls);
    }

    [Fact]
    public void A_json_profile_reads_the_same_as_yaml()
    {
        var json = $$"""
            {
              "name": "test-network-org1",
              "version": "1.0.0",
              "client": { "organization": "Org1" },
              "organizations": { "Org1": { "mspid": "Org1MSP", "peers": ["peer0.org1.example.com"] } },
              "peers": {
                "peer0.org1.example.com": {
                  "url": "grpcs://localhost:7051",
                  "tlsCACerts": { "pem": {{System.Text.Json.JsonSerializer.Serialize(Org1Cert)}} },
                  "grpcOptions": { "ssl-target-name-override": "peer0.org1.example.com", "hostnameOverride": "peer0.org1.example.com" }
                }
              },
              "channels": { "mychannel": { "peers": { "peer0.org1.example.com": { "endorsingPeer": true, "eventSource": false } } } }
            }
            """;
        var profile = ConnectionProfile.Load(Write("connection-org1.json", json));

        var selection = profile.Select("mychannel", null);

        Assert.Equal("Org1MSP", profile.ClientMspId);
        Assert.Equal("localhost:7051", Assert.Single(selection.EndorsingPeers).Address.ToString());
        Assert.Empty(selection.EventPeers);
        Assert.Empty(selection.Orderers);
    }

    [Fact]
    public void An_inline_pem_is_used_as_written_and_messages_name_where_it_was_written()
    {
        var yaml = $"""
            peers:
              peer0:
                url: grpcs://127.0.0.1:7051
                tlsCACerts:
                  pem: |
            {string.Join('\n', Org1Cert.TrimEnd().Split('\n').Select(l => "          " + l))}

            """;
        var file = Write("inline.yaml", yaml);

        var peer = Assert.Single(ConnectionProfile.Load(file).Select("any", null).EndorsingPeers);

        Assert.Equal(Org1Cert.TrimEnd() + "\n", peer.TlsRootPem);
        Assert.Contains("peers.peer0.tlsCACerts.pem", peer.TlsRootCertFile, StringComparison.Ordinal);
        Assert.Contains(file, peer.TlsRootCertFile, StringComparison.Ordinal);
    }

    [Fact]
    public void Grpc_urls_are_plaintext_and_need_no_tls_root_while_grpcs_urls_need_one()
    {
        var plain = ConnectionProfile.Load(Write("plain.yaml", "peers:\n  p:\n    url: grpc://127.0.0.1:7051\n"));
        var peer = Assert.Single(plain.Select("ch", null).EndorsingPeers);
        Assert.False(peer.UseTls);

        var e = Refused(() => ConnectionProfile.Load(Write("tls.yaml", "peers:\n  p:\n    url: grpcs://127.0.0.1:7051\n")));
        Assert.Contains("peers.p.tlsCACerts: missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_channels_entry_every_peer_has_every_role_and_every_orderer_is_used()
    {
        var yaml = TwoOrgYaml[..TwoOrgYaml.IndexOf("channels:", StringComparison.Ordinal)];
        var profile = ConnectionProfile.Load(Write("nochannels.yaml", yaml));

        var selection = profile.Select("otherchannel", "Org1MSP");

        Assert.Equal(2, selection.EndorsingPeers.Count);
        Assert.Equal(2, selection.QueryPeers.Count);
        Assert.Equal(2, selection.EventPeers.Count);
        Assert.Equal("localhost:7051", selection.QueryPeers[0].Address.ToString());
        Assert.Single(selection.Orderers);
    }

    [Theory]
    [InlineData("    url: localhost:7051", "peers.peer0.org1.example.com.url (line 16): 'localhost:7051' is not a grpcs:// or grpc:// URL")]
    [InlineData("    url: https://localhost:7051", "peers.peer0.org1.example.com.url (line 16): 'https://localhost:7051' is not a grpcs:// or grpc:// URL")]
    [InlineData("    url: grpcs://localhost:99999", "peers.peer0.org1.example.com.url (line 16): 'grpcs://localhost:99999' is not a grpcs://host:port or grpc://host:port URL")]
    [InlineData("    url: [grpcs://localhost:7051]", "peers.peer0.org1.example.com.url (line 16): expected a single value, found a list")]
    public void A_bad_url_is_named_by_its_key_path_line_and_file(string urlLine, string expected)
    {
        var file = Write("bad.yaml", TwoOrgYaml.Replace("    url: grpcs://localhost:7051", urlLine, StringComparison.Ordinal));

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.Equal($"connection profile {file}: {expected}", e.Message);
        Assert.Equal(file, e.Target);
    }

    [Theory]
    [InlineData("        chaincodeQuery: false", "        chaincodeQuery: maybe", "channels.mychannel.peers.peer0.org1.example.com.chaincodeQuery (line 39): expected true or false")]
    [InlineData("    mspid: Org1MSP", "    mspid:", "organizations.Org1.mspid: missing")]
    [InlineData("      - peer0.org2.example.com", "      - peer9.org2.example.com", "organizations.Org2.peers[0] (line 13): names peer 'peer9.org2.example.com', which is not under peers")]
    [InlineData("      - orderer.example.com", "      - orderer9", "channels.mychannel.orderers[0] (line 35): names orderer 'orderer9', which is not under orderers")]
    [InlineData("  organization: Org2", "  organization: Org7", "client.organization (line 4): names organisation 'Org7', which is not under organizations")]
    [InlineData("\npeers:", "\npeers: [a, b]\nunused:", "peers (line 14): expected a mapping of keys to values, found a list")]
    public void A_wrong_key_or_type_is_named_by_its_key_path(string from, string to, string expected)
    {
        var file = Write("bad.yaml", TwoOrgYaml.Replace(from, to, StringComparison.Ordinal));

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.Equal($"connection profile {file}: {expected}", e.Message);
    }

    [Fact]
    public void A_json_type_error_is_named_by_its_key_path()
    {
        var file = Write("bad.json", """{ "peers": { "p": { "url": 7051 } } }""");

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.Equal($"connection profile {file}: peers.p.url: '7051' is not a grpcs:// or grpc:// URL", e.Message);
    }

    [Fact]
    public void A_missing_tls_ca_file_is_named_with_its_key_path_when_the_node_is_used()
    {
        File.Delete(Path.Combine(_folder, "tls", "org2-ca.pem"));
        var file = Write("profile.yaml", TwoOrgYaml);
        var profile = ConnectionProfile.Load(file);

        var e = Refused(() => profile.Select("mychannel", null));

        Assert.StartsWith($"connection profile {file}: peers.peer0.org2.example.com.tlsCACerts.path (line 24): ", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder, "tls", "org2-ca.pem"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_profile_is_named()
    {
        var missing = Path.Combine(_folder, "nope.yaml");

        var e = Refused(() => ConnectionProfile.Load(missing));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("connection profile", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("peers:\n  p: [\n", "not valid YAML at line")]
    [InlineData("{ \"peers\": ", "not valid JSON at line")]
    [InlineData("peers:\n  p:\n    url: grpc://a:1\n  p:\n    url: grpc://a:2\n", "peers.p (line 4): the key appears twice")]
    [InlineData("{\"peers\":{\"p\":{\"url\":\"grpc://a:1\"},\"p\":{\"url\":\"grpc://a:2\"}}}", "peers.p: the key appears twice")]
    [InlineData("just text", "(top level) (line 1): expected a mapping of keys to values, found a single value")]
    [InlineData("a: 1\n---\nb: 2\n", "holds more than one YAML document")]
    public void Text_that_is_not_a_profile_is_refused_in_one_line(string text, string expected)
    {
        var file = Write("broken.yaml", text);

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
        Assert.StartsWith($"connection profile {file}: ", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A "billion laughs": each alias expands the one before it tenfold, 10^6 nodes from a few hundred bytes.</summary>
    private static string AliasBomb(int levels)
    {
        var text = new System.Text.StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= levels; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        }

        return text.ToString();
    }

    [Fact]
    public void Aliases_that_expand_past_the_node_limit_are_refused_naming_where_the_limit_was_passed()
    {
        var file = Write("bomb.yaml", AliasBomb(6));

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.Contains("holds more than 50000 keys and values (aliases counted as copies)", e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"connection profile {file}: l", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_nine_level_alias_bomb_is_refused_as_quickly_as_a_small_one()
    {
        // 342 bytes that expand to 10^9 nodes if followed: refused once 50,000 are counted, whatever the depth.
        var file = Write("laughs.yaml", AliasBomb(9));

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.Contains("aliases counted as copies", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_within_the_limit_are_expanded_with_the_paths_of_where_they_are_used()
    {
        var file = Write("aliases.yaml", """
            ca: &ca
              path: tls/org1-ca.pem
            peers:
              p0:
                url: grpcs://localhost:7051
                tlsCACerts: *ca
              p1:
                url: grpcs://localhost:9051
                tlsCACerts: *ca
            """);

        var peers = ConnectionProfile.Load(file).Select("ch", null).EndorsingPeers;

        Assert.Equal(["localhost:7051", "localhost:9051"], peers.Select(p => p.Address.ToString()));
        Assert.All(peers, p => Assert.Equal(Path.Combine(_folder, "tls", "org1-ca.pem"), p.TlsRootCertFile));
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(70)]
    public void Deep_nesting_is_refused_at_the_limit_without_recursion(int depth)
    {
        // 100,000 deep used to overflow the stack (SIGSEGV) inside YamlDotNet's representation model.
        var file = Write("deep.yaml", "peers: " + new string('[', depth) + new string(']', depth) + "\n");

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.Contains("nested more than 64 levels deep", e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"connection profile {file}: peers[0][0]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_json_nesting_is_refused_too()
    {
        var file = Write("deep.json", "{\"peers\": " + new string('[', 100_000) + new string(']', 100_000) + "}");

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.StartsWith($"connection profile {file}: not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("peers", 257, "peers (line 2): lists 257 peers; at most 256 are supported")]
    [InlineData("orderers", 65, "orderers (line 2): lists 65 orderers; at most 64 are supported")]
    public void Too_many_peers_or_orderers_are_refused(string key, int count, string expected)
    {
        var text = new System.Text.StringBuilder($"{key}:\n");
        for (var i = 0; i < count; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"  n{i}:\n    url: grpc://localhost:{10000 + i}\n");
        }

        var file = Write("many.yaml", text.ToString());

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.Equal($"connection profile {file}: {expected}", e.Message);
    }

    [Fact]
    public void The_same_address_under_two_names_is_refused_naming_both()
    {
        var file = Write("twice.yaml", """
            peers:
              peer0:
                url: grpc://localhost:7051
              peer0-again:
                url: grpc://LOCALHOST:7051
            """);

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.Equal($"connection profile {file}: peers.peer0-again.url (line 5): LOCALHOST:7051 is also the address of peers.peer0.url (line 3): list each node once", e.Message);
    }

    [Theory]
    [InlineData("ssl-target-name-override", "bad host")]
    [InlineData("hostnameOverride", "a/b")]
    public void A_host_name_override_that_is_no_host_name_is_refused_naming_its_key(string key, string value)
    {
        var file = Write("override.yaml", $"""
            peers:
              peer0:
                url: grpc://localhost:7051
                grpcOptions:
                  {key}: "{value}"
            """);

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.Equal($"connection profile {file}: peers.peer0.grpcOptions.{key} (line 5): '{value}' is not a host name", e.Message);
    }

    [Fact]
    public void An_alias_to_no_anchor_is_refused()
    {
        var file = Write("alias.yaml", "peers: *nothing\n");

        var e = Refused(() => ConnectionProfile.Load(file));

        Assert.StartsWith($"connection profile {file}: ", e.Message, StringComparison.Ordinal);
    }
}
