using System.Text.Json;
using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>A network that publishes itself as <c>devnet up</c> does: devnet.env, devnet.json and connection-profile.yaml.</summary>
public sealed class PublishedNetworkFixture : NetworkFixture
{
    protected override DevNetOptions Options(string directory) => new() { Directory = directory, Attachable = true };
}

/// <summary>
/// <c>--connectionProfile</c> end to end over TLS against DevNet, with the profile <c>devnet up</c> writes (and
/// variants of it): invoke, query and events driven by the profile alone, roles, and flags that replace it.
/// </summary>
public sealed class ConnectionProfileTests : IClassFixture<PublishedNetworkFixture>
{
    private readonly PublishedNetworkFixture _net;

    public ConnectionProfileTests(PublishedNetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private string Profile => _net.Network.ConnectionProfileFile!;

    /// <summary>Only the MSP folder: the MSP id comes from the profile's client organisation, peers and orderer from the profile.</summary>
    private Dictionary<string, string?> ProfileOnlyEnvironment() => new()
    {
        ["CORE_PEER_MSPCONFIGPATH"] = _net.Network.User(1).MspDirectory,
        ["FABINVOKE_DEBUG_STACK"] = "1",
    };

    private List<string> Invoke(string ctor, params string[] extra) =>
        ["chaincode", "invoke", "-C", _net.Network.ChannelId, "-n", "basic", "-c", ctor, "--waitForEvent", "--waitForEventTimeout", "20s", .. extra];

    private List<string> Query(string ctor, params string[] extra) =>
        ["chaincode", "query", "-C", _net.Network.ChannelId, "-n", "basic", "-c", ctor, .. extra];

    /// <summary>A copy of the devnet profile beside it (so its relative TLS paths still hold), changed by <paramref name="edit"/>.</summary>
    private string Variant(string name, Func<string, string> edit)
    {
        var path = Path.Combine(Path.GetDirectoryName(Profile)!, name);
        File.WriteAllText(path, edit(File.ReadAllText(Profile)));
        return path;
    }

    /// <summary>Sets one role of one peer in the channel section (the devnet profile writes every role as true).</summary>
    private static string SetRole(string profile, string peerName, string role, bool value)
    {
        var at = profile.IndexOf($"\"{peerName}\":\n        endorsingPeer", StringComparison.Ordinal);
        Assert.True(at >= 0, "the devnet profile lists the peer's roles");
        var roleAt = profile.IndexOf($"{role}: true", at, StringComparison.Ordinal);
        return string.Concat(profile.AsSpan(0, roleAt), $"{role}: {(value ? "true" : "false")}", profile.AsSpan(roleAt + role.Length + 6));
    }

    [Fact]
    public async Task An_invoke_and_a_query_driven_by_the_profile_alone_endorse_on_every_peer_wait_on_every_peer_and_read_back()
    {
        var invoke = await CliRun.RunAsync(ProfileOnlyEnvironment(), Invoke("""{"Args":["Put","cp-k","cp-v"]}""", "--connectionProfile", Profile));

        Assert.True(invoke.ExitCode == 0, invoke.ToString());
        Assert.Contains($"sent to orderer {_net.Network.Orderer.Address}", invoke.Stderr, StringComparison.Ordinal);
        foreach (var peer in _net.Network.Peers)
        {
            Assert.Contains($"committed with status (VALID) at {peer.Address}", invoke.Stderr, StringComparison.Ordinal);
        }

        var query = await CliRun.RunAsync(ProfileOnlyEnvironment(), Query("""{"Args":["Get","cp-k"]}""", "--connectionProfile", Profile));

        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.Equal("cp-v\n", query.Stdout);
    }

    [Fact]
    public async Task The_profile_can_come_from_FABINVOKE_CONNECTION_PROFILE_and_json_output_reports_every_peer()
    {
        var env = ProfileOnlyEnvironment();
        env["FABINVOKE_CONNECTION_PROFILE"] = Profile;

        var outcome = await CliRun.RunAsync(env, Invoke("""{"Args":["Put","cp-json","1"]}""", "--output", "json"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var json = JsonDocument.Parse(outcome.Stdout).RootElement;
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal(_net.Network.Peers.Select(p => p.Address).Order(), json.GetProperty("endorsements").EnumerateArray().Select(e => e.GetProperty("address").GetString()).Order());
        Assert.Equal(_net.Network.Peers.Select(p => p.Address).Order(), json.GetProperty("commits").EnumerateArray().Select(e => e.GetProperty("address").GetString()).Order());
        Assert.Equal(_net.Network.Orderer.Address, json.GetProperty("orderer").GetProperty("address").GetString());
    }

    [Fact]
    public async Task Peer_flags_replace_the_profiles_peers_and_its_orderer_is_still_used()
    {
        var second = _net.Network.Peers[1];

        var outcome = await CliRun.RunAsync(
            _net.UserEnvironment(),
            Invoke("""{"Args":["Put","cp-flag","1"]}""", "--connectionProfile", Profile, "--peerAddresses", second.Address, "--tlsRootCertFiles", second.TlsRootCertFile, "--output", "json"));

        // One org's endorsement does not satisfy the majority policy of two: the peer flag was taken, the profile's list was not.
        var json = JsonDocument.Parse(outcome.Stdout).RootElement;
        Assert.Equal([second.Address], json.GetProperty("endorsements").EnumerateArray().Select(e => e.GetProperty("address").GetString()));
        Assert.Equal(_net.Network.Orderer.Address, json.GetProperty("orderer").GetProperty("address").GetString());
        Assert.Contains($"INFO [chaincodeCmd] InitCmdFactory -> --peerAddresses replace the peers of connection profile {Profile}", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exported_CORE_PEER_ADDRESS_does_not_replace_the_profiles_peers_and_one_INFO_line_says_so()
    {
        // What every Fabric sample's environment script exports: one peer, its TLS root.
        var first = _net.Network.Peers[0];
        var env = ProfileOnlyEnvironment();
        env["CORE_PEER_TLS_ENABLED"] = "true";
        env["CORE_PEER_ADDRESS"] = first.Address;
        env["CORE_PEER_TLS_ROOTCERT_FILE"] = first.TlsRootCertFile;

        var outcome = await CliRun.RunAsync(env, Invoke("""{"Args":["Put","cp-env","1"]}""", "--connectionProfile", Profile));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        foreach (var peer in _net.Network.Peers)
        {
            Assert.Contains($"committed with status (VALID) at {peer.Address}", outcome.Stderr, StringComparison.Ordinal);
        }

        var notice = Assert.Single(outcome.StderrLines, l => l.Contains("not used: connection profile", StringComparison.Ordinal));
        Assert.EndsWith($"INFO [chaincodeCmd] InitCmdFactory -> CORE_PEER_ADDRESS, CORE_PEER_TLS_ROOTCERT_FILE not used: connection profile {Profile} gives the peers (only --peerAddresses replaces them)", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_with_the_profile_from_the_variable_is_not_redirected_by_CORE_PEER_ADDRESS()
    {
        var env = ProfileOnlyEnvironment();
        env["FABINVOKE_CONNECTION_PROFILE"] = Profile;
        env["CORE_PEER_ADDRESS"] = ClosedPort.Address();
        Assert.Equal(0, (await CliRun.RunAsync(ProfileOnlyEnvironment(), Invoke("""{"Args":["Put","cp-q","42"]}""", "--connectionProfile", Profile))).ExitCode);

        var outcome = await CliRun.RunAsync(env, Query("""{"Args":["Get","cp-q"]}"""));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("42\n", outcome.Stdout);
        Assert.Contains("CORE_PEER_ADDRESS not used: connection profile", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_orderer_flag_replaces_the_profiles_orderers()
    {
        var closed = ClosedPort.Address();

        var outcome = await CliRun.RunAsync(
            ProfileOnlyEnvironment(),
            Invoke("""{"Args":["Put","cp-o","1"]}""", "--connectionProfile", Profile, "-o", closed, "--connTimeout", "300ms"));

        Assert.Equal(4, outcome.ExitCode);
        Assert.Contains(closed, Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.Contains($"InitCmdFactory -> -o replaces the orderers of connection profile {Profile}", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invoke_waits_only_on_eventSource_peers_and_a_query_asks_a_chaincodeQuery_peer()
    {
        var (first, second) = (_net.Network.Peers[0], _net.Network.Peers[1]);
        var profile = Variant("roles.yaml", p => SetRole(SetRole(p, second.Name, "eventSource", false), first.Name, "chaincodeQuery", false));

        var invoke = await CliRun.RunAsync(ProfileOnlyEnvironment(), Invoke("""{"Args":["Put","cp-role","r"]}""", "--connectionProfile", profile, "--output", "json"));

        Assert.True(invoke.ExitCode == 0, invoke.ToString());
        var json = JsonDocument.Parse(invoke.Stdout).RootElement;
        Assert.Equal(2, json.GetProperty("endorsements").GetArrayLength());
        Assert.Equal([first.Address], json.GetProperty("commits").EnumerateArray().Select(e => e.GetProperty("address").GetString()));

        var query = await CliRun.RunAsync(ProfileOnlyEnvironment(), Query("""{"Args":["Get","cp-role"]}""", "--connectionProfile", profile, "--output", "json"));

        Assert.True(query.ExitCode == 0, query.ToString());
        var answer = JsonDocument.Parse(query.Stdout).RootElement;
        Assert.Equal([second.Address], answer.GetProperty("endorsements").EnumerateArray().Select(e => e.GetProperty("address").GetString()));
        Assert.Equal("r", answer.GetProperty("result").GetProperty("payload").GetString());
    }

    [Fact]
    public async Task Events_come_from_the_profiles_eventSource_peers()
    {
        var put = await CliRun.RunAsync(ProfileOnlyEnvironment(), Invoke("""{"Args":["Put","cp-ev","e"]}""", "--connectionProfile", Profile));
        Assert.True(put.ExitCode == 0, put.ToString());
        var block = _net.Network.Peers[0].Height - 1;

        var events = await CliRun.RunAsync(ProfileOnlyEnvironment(),
            ["events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--start", block.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--count", "1", "--connectionProfile", Profile]);

        Assert.True(events.ExitCode == 0, events.ToString());
        Assert.Contains(" event=Put payload=cp-ev", events.Stdout, StringComparison.Ordinal);

        var json = await CliRun.RunAsync(ProfileOnlyEnvironment(),
            ["events", "chaincode", "-C", _net.Network.ChannelId, "-n", "basic", "--start", block.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--count", "1", "--connectionProfile", Profile, "--output", "json"]);

        Assert.True(json.ExitCode == 0, json.ToString());
        var line = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("cp-ev", line.GetProperty("payload").GetString());
        Assert.Equal(block, line.GetProperty("block").GetUInt64());

        var blocks = await CliRun.RunAsync(ProfileOnlyEnvironment(),
            ["events", "blocks", "-C", _net.Network.ChannelId, "--start", "oldest", "--count", "1", "--connectionProfile", Profile]);

        Assert.True(blocks.ExitCode == 0, blocks.ToString());
        Assert.StartsWith("block=0 ", blocks.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_profile_ends_with_exit_3_and_one_line_naming_the_file_and_the_key()
    {
        var first = _net.Network.Peers[0];
        var broken = Variant("broken.yaml", p => p.Replace($"\"grpcs://{first.Address}\"", $"\"{first.Address}\"", StringComparison.Ordinal));

        foreach (var command in new[] { Invoke("""{"Args":["Put","x","1"]}"""), Query("""{"Args":["Get","x"]}"""), ["events", "blocks", "-C", _net.Network.ChannelId, "--count", "1"] })
        {
            var outcome = await CliRun.RunAsync(ProfileOnlyEnvironment(), [.. command, "--connectionProfile", broken]);

            Assert.Equal(3, outcome.ExitCode);
            outcome.AssertWellBehaved();
            Assert.Equal($"Error: connection profile {broken}: peers.{first.Name}.url (line {LineOf(broken, "url: \"" + first.Address)}): '{first.Address}' is not a grpcs:// or grpc:// URL", outcome.ErrorLines[0]);
        }
    }

    [Fact]
    public async Task A_missing_profile_ends_with_exit_3_naming_it_and_devnet_cannot_be_combined_with_one()
    {
        var missing = Path.Combine(Path.GetDirectoryName(Profile)!, "no-such-profile.yaml");

        var outcome = await CliRun.RunAsync(ProfileOnlyEnvironment(), Query("""{"Args":["Get","x"]}""", "--connectionProfile", missing));

        Assert.Equal(3, outcome.ExitCode);
        outcome.AssertWellBehaved();
        Assert.Contains(missing, outcome.ErrorLines[0], StringComparison.Ordinal);

        var devnet = await CliRun.RunAsync(ProfileOnlyEnvironment(), Query("""{"Args":["Get","x"]}""", "--connectionProfile", Profile, "--devnet", Path.GetDirectoryName(Profile)!));

        Assert.Equal(2, devnet.ExitCode);
        Assert.Contains("--connectionProfile cannot be combined with --devnet", Assert.Single(devnet.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_profile_a_published_network_writes_names_every_node_with_readable_tls_roots_and_goes_away_with_it()
    {
        var directory = Path.Combine(Path.GetTempPath(), "fabinvoke-profile-" + Guid.NewGuid().ToString("N"));
        try
        {
            var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = directory, Attachable = true, Orgs = 3 }).WaitAsync(CliRun.Bound);
            string file;
            await using (network)
            {
                file = Assert.IsType<string>(network.ConnectionProfileFile);
                Assert.Equal(Path.Combine(directory, "connection-profile.yaml"), file);
                var profile = FabricInvoke.Core.Configuration.ConnectionProfile.Load(file);
                var selection = profile.Select(network.ChannelId, "Org3MSP");

                Assert.Equal("Org1MSP", profile.ClientMspId);
                Assert.Equal(network.Peers.Where(p => p.MspId == "Org3MSP").Concat(network.Peers.Where(p => p.MspId != "Org3MSP")).Select(p => p.Address),
                    selection.EndorsingPeers.Select(p => p.Address.ToString()));
                Assert.Equal(selection.EndorsingPeers, selection.EventPeers);
                Assert.Equal([network.Orderer.Address], selection.Orderers.Select(o => o.Address.ToString()));
                Assert.All(selection.EndorsingPeers.Concat(selection.Orderers), n => Assert.StartsWith("-----BEGIN CERTIFICATE-----", n.TlsRootPem, StringComparison.Ordinal));
            }

            Assert.False(File.Exists(file), "connection-profile.yaml is removed when the network stops");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int LineOf(string file, string text) =>
        File.ReadAllLines(file).Select((l, i) => (l, i)).First(x => x.l.Contains(text, StringComparison.Ordinal)).i + 1;
}
