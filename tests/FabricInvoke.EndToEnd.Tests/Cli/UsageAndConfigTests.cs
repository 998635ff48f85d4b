using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Cli;

/// <summary>Bad input ends in one line and exit 2 (usage) or 3 (configuration), before any network traffic.</summary>
public sealed class UsageAndConfigTests
{
    private static readonly string FixtureMsp = Path.Combine(AppContext.BaseDirectory, "Fixtures", "identities", "org1-user1", "msp");

    private static Dictionary<string, string?> Env(string? msp = null) => new()
    {
        ["CORE_PEER_LOCALMSPID"] = "Org1MSP",
        ["CORE_PEER_MSPCONFIGPATH"] = msp ?? FixtureMsp,
        ["CORE_PEER_ADDRESS"] = "127.0.0.1:7051",
    };

    private static string[] Invoke(params string[] extra) =>
        ["chaincode", "invoke", "-C", "mychannel", "-n", "basic", .. extra, "-o", "127.0.0.1:7050"];

    [Theory]
    [InlineData("{\"Args\":[\"Put\"", "-c/--ctor is not valid JSON")]
    [InlineData("[\"Put\"]", "-c/--ctor must be a JSON object")]
    [InlineData("{\"Args\":[1,2]}", "\"Args\" must be an array of strings")]
    [InlineData("{}", "names no function or arguments")]
    public async Task Malformed_ctor_exits_2(string ctor, string expected)
    {
        var outcome = await CliRun.RunAsync(Env(), Invoke("-c", ctor));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains(expected, Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"k\":", "--transient is not valid JSON")]
    [InlineData("{\"k\":\"not base64!\"}", "the value of \"k\" is not a base64 string")]
    [InlineData("{\"k\":42}", "the value of \"k\" is not a base64 string")]
    public async Task Malformed_transient_exits_2_without_echoing_the_value(string transient, string expected)
    {
        var outcome = await CliRun.RunAsync(Env(), Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}", "--transient", transient));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64!", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--waitForEventTimeout", "30")]
    [InlineData("--waitForEventTimeout", "-1s")]
    [InlineData("--connTimeout", "soon")]
    public async Task Bad_durations_exit_2_naming_the_flag(string flag, string value)
    {
        var outcome = await CliRun.RunAsync(Env(), Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}", flag, value));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"invalid duration '{value}' for {flag}", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:port")]
    [InlineData("127.0.0.1:70000")]
    public async Task Bad_peer_addresses_exit_2(string address)
    {
        var outcome = await CliRun.RunAsync(Env(), Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}", "--peerAddresses", address));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"invalid peer address '{address}'", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_channel_exits_2()
    {
        var outcome = await CliRun.RunAsync(Env(), ["chaincode", "invoke", "-n", "basic", "-c", "{\"Args\":[\"Put\"]}", "-o", "127.0.0.1:7050"]);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal("Error: -C/--channelID must be given", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public async Task Unknown_flag_exits_2()
    {
        var outcome = await CliRun.RunAsync(Env(), Invoke("--frobnicate"));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains("--frobnicate", outcome.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TLS_root_count_must_match_peer_count()
    {
        var env = Env();
        env["CORE_PEER_TLS_ENABLED"] = "true";

        var outcome = await CliRun.RunAsync(env, Invoke("-c", "{\"Args\":[\"Put\"]}", "--peerAddresses", "127.0.0.1:7051", "--peerAddresses", "127.0.0.1:9051", "--tlsRootCertFiles", "/tmp/ca.pem"));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains("the number of peer addresses (2) does not match the number of TLS root cert files (1)", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_MSP_folder_exits_3_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "fabinvoke-no-such-msp-" + Guid.NewGuid().ToString("N"));

        var outcome = await CliRun.RunAsync(Env(missing), Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}"));

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        Assert.Contains(missing, Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_MSP_id_exits_3_naming_the_variable()
    {
        var env = Env();
        env.Remove("CORE_PEER_LOCALMSPID");

        var outcome = await CliRun.RunAsync(env, Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}"));

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        Assert.Contains("CORE_PEER_LOCALMSPID is not set", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_TLS_root_file_exits_3_naming_it()
    {
        var env = Env();
        env["CORE_PEER_TLS_ENABLED"] = "true";
        env["CORE_PEER_TLS_ROOTCERT_FILE"] = "/nonexistent/tlsca.pem";

        var outcome = await CliRun.RunAsync(env, Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}"));

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        Assert.Contains("/nonexistent/tlsca.pem", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_logging_spec_exits_2()
    {
        var env = Env();
        env["FABRIC_LOGGING_SPEC"] = "chatty";

        var outcome = await CliRun.RunAsync(env, Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}"));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains("invalid FABRIC_LOGGING_SPEC 'chatty'", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }
}
