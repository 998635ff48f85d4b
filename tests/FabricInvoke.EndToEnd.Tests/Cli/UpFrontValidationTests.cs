using System.Globalization;
using System.Text;

namespace FabricInvoke.EndToEnd.Tests.Cli;

/// <summary>
/// What the peer CLI refuses as usage (or what cannot work at all) is refused before anything connects: one line, exit
/// 2 (3 for a file), nothing sent — never retried as if the network were at fault, never a .NET text, never a 130 KB line.
/// </summary>
public sealed class UpFrontValidationTests : IDisposable
{
    private static readonly string FixtureMsp = Path.Combine(AppContext.BaseDirectory, "Fixtures", "identities", "org1-user1", "msp");
    private static readonly string FixtureTlsCa = Path.Combine(FixtureMsp, "tlscacerts", "tlsca.org1.example.com-cert.pem");

    private readonly string _folder = Directory.CreateTempSubdirectory("fabinvoke-upfront-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Dictionary<string, string?> Env(params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string?>
        {
            ["CORE_PEER_LOCALMSPID"] = "Org1MSP",
            ["CORE_PEER_MSPCONFIGPATH"] = FixtureMsp,
            ["CORE_PEER_ADDRESS"] = ClosedPort.Address(),
        };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }

        return env;
    }

    private static string[] Invoke(params string[] extra) =>
        ["chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", .. extra];

    private static string OnlyErrorLine(CliOutcome outcome, int exitCode)
    {
        Assert.True(outcome.ExitCode == exitCode, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.DoesNotContain("proposal", outcome.Stderr, StringComparison.Ordinal);
        return Assert.Single(outcome.ErrorLines);
    }

    [Theory]
    [InlineData("-C")]
    [InlineData("--channelID")]
    [InlineData("-n")]
    [InlineData("--connTimeout")]
    [InlineData("-o")]
    public async Task A_flag_left_without_its_value_at_the_end_is_refused_as_the_peer_CLI_does(string flag)
    {
        // -C $UNSET: the earlier value must not silently stand.
        var outcome = await CliRun.RunAsync(Env(), [.. Invoke("-o", ClosedPort.Address()), flag]);

        Assert.Equal($"Error: flag needs an argument: {flag}", OnlyErrorLine(outcome, 2));
    }

    [Fact]
    public async Task The_same_peer_twice_is_refused_naming_both_places()
    {
        var peer = ClosedPort.Address();

        var outcome = await CliRun.RunAsync(Env(), Invoke("--peerAddresses", peer, "--peerAddresses", "127.0.0.2:1", "--peerAddresses", peer, "-o", ClosedPort.Address()));

        Assert.Equal($"Error: peer {peer} is given twice (--peerAddresses: #1 and #3); give each peer once", OnlyErrorLine(outcome, 2));
    }

    [Fact]
    public async Task The_same_orderer_twice_is_refused_naming_both_places()
    {
        var outcome = await CliRun.RunAsync(Env(), Invoke("-o", "127.0.0.1:7050,LOCALHOST:7050,localhost:7050"));

        Assert.Equal("Error: orderer localhost:7050 is given twice (-o/--orderer: #2 and #3); give each orderer once", OnlyErrorLine(outcome, 2));
    }

    [Fact]
    public async Task An_orderer_host_name_override_that_is_no_host_name_is_refused_at_once()
    {
        var outcome = await CliRun.RunAsync(Env(), Invoke("-o", ClosedPort.Address(), "--tls", "--cafile", FixtureTlsCa, "--ordererTLSHostnameOverride", "bad host"));

        var line = OnlyErrorLine(outcome, 2);
        Assert.Equal("Error: invalid host name 'bad host' for --ordererTLSHostnameOverride: expected a DNS name or an IP address, as in the node's TLS certificate", line);
        Assert.DoesNotContain("Parameter", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad host")]
    [InlineData("peer0/org1")]
    [InlineData("*.example.com")]
    public async Task A_peer_host_name_override_that_is_no_host_name_is_refused_naming_the_variable(string value)
    {
        var outcome = await CliRun.RunAsync(
            Env(("CORE_PEER_TLS_ENABLED", "true"), ("CORE_PEER_TLS_ROOTCERT_FILE", FixtureTlsCa), ("CORE_PEER_TLS_SERVERHOSTOVERRIDE", value)),
            Invoke("-o", ClosedPort.Address()));

        Assert.Contains($"invalid host name '{value}' for CORE_PEER_TLS_SERVERHOSTOVERRIDE", OnlyErrorLine(outcome, 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_130_KB_value_is_cut_in_the_error_line_with_its_length()
    {
        var huge = new string('a', 130_000);

        var outcome = await CliRun.RunAsync(Env(), Invoke("--peerAddresses", huge + ":1", "-o", ClosedPort.Address()));

        var line = OnlyErrorLine(outcome, 2);
        Assert.True(line.Length < 500, $"{line.Length} characters");
        Assert.Contains("… (130002 characters)", line, StringComparison.Ordinal);
        Assert.StartsWith("Error: invalid peer address 'aaaa", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_130_KB_FABRIC_LOGGING_SPEC_is_cut_wherever_the_line_quotes_it()
    {
        var outcome = await CliRun.RunAsync(Env(("FABRIC_LOGGING_SPEC", new string('x', 130_000))), Invoke("-o", ClosedPort.Address()));

        var line = OnlyErrorLine(outcome, 2);
        Assert.True(line.Length < 1000, $"{line.Length} characters");
        Assert.Contains("invalid FABRIC_LOGGING_SPEC 'xxx", line, StringComparison.Ordinal);
        Assert.Contains("(130000 characters)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_profile_alias_bomb_is_exit_3_naming_the_profile()
    {
        var text = new StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 6; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        }

        var file = Path.Combine(_folder, "bomb.yaml");
        File.WriteAllText(file, text.ToString());
        var env = Env();
        env.Remove("CORE_PEER_ADDRESS");

        var outcome = await CliRun.RunAsync(env, Invoke("--connectionProfile", file));

        var line = OnlyErrorLine(outcome, 3);
        Assert.StartsWith($"Error: connection profile {file}: ", line, StringComparison.Ordinal);
        Assert.Contains("aliases counted as copies", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_profile_listing_one_peer_under_two_names_is_exit_3_naming_both()
    {
        var file = Path.Combine(_folder, "twice.yaml");
        File.WriteAllText(file, """
            peers:
              peer0:
                url: grpc://127.0.0.1:7051
              peer1:
                url: grpc://127.0.0.1:7051
            """);
        var env = Env();
        env.Remove("CORE_PEER_ADDRESS");

        var outcome = await CliRun.RunAsync(env, Invoke("--connectionProfile", file, "-o", ClosedPort.Address()));

        Assert.Equal(
            $"Error: connection profile {file}: peers.peer1.url (line 5): 127.0.0.1:7051 is also the address of peers.peer0.url (line 3): list each node once",
            OnlyErrorLine(outcome, 3));
    }
}
