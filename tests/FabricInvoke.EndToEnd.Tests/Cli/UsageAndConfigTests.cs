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
    [InlineData("--waitForEventTimeout", "1194h")]
    [InlineData("--waitForEventTimeout", "25h")]
    [InlineData("--requestTimeout", "100000h")]
    [InlineData("--connTimeout", "100000h")]
    [InlineData("--connTimeout", "2h")]
    [InlineData("--connTimeout", "1us")]
    [InlineData("--waitForEventTimeout", "0")]
    public async Task Durations_out_of_range_exit_2_at_parse_time_naming_the_flag(string flag, string value)
    {
        var outcome = await CliRun.RunAsync(Env(), Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}", flag, value));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains($"invalid duration '{value}' for {flag}", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("proposal", outcome.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100000h")]
    [InlineData("soon")]
    public async Task A_bad_CORE_PEER_CLIENT_CONNTIMEOUT_exits_2_naming_the_variable(string value)
    {
        var env = Env();
        env["CORE_PEER_CLIENT_CONNTIMEOUT"] = value;

        var outcome = await CliRun.RunAsync(env, Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}"));

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"invalid duration '{value}' for CORE_PEER_CLIENT_CONNTIMEOUT", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chaincode", "100000h")]
    [InlineData("chaincode", "soon")]
    [InlineData("blocks", "soon")]
    public async Task Events_read_CORE_PEER_CLIENT_CONNTIMEOUT_as_their_help_says_a_bad_one_exits_2_naming_it(string command, string value)
    {
        // events used to ignore the variable (its help names it) and went on to connect.
        var env = Env();
        env["CORE_PEER_CLIENT_CONNTIMEOUT"] = value;
        string[] args = command == "chaincode"
            ? ["events", "chaincode", "-C", "mychannel", "-n", "basic", "--peerAddresses", ClosedPort.Address()]
            : ["events", "blocks", "-C", "mychannel", "--peerAddresses", ClosedPort.Address()];

        var outcome = await CliRun.RunAsync(env, args);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"invalid duration '{value}' for CORE_PEER_CLIENT_CONNTIMEOUT", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_JSON_nested_deeply_in_ctor_is_accepted_as_Go_accepts_it()
    {
        // Go's encoding/json takes 10000 levels; unknown keys are ignored, so this is a plain Put.
        var nested = new string('[', 100) + new string(']', 100);
        var ctor = "{\"Args\":[\"Put\",\"k\",\"v\"],\"extra\":" + nested + "}";

        var args = FabricInvoke.Cli.Settings.CtorJson.ParseArgs(ctor);

        Assert.Equal(3, args.Count);
    }

    [Fact]
    public async Task A_usage_error_with_devnet_exits_2_and_creates_nothing()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fabinvoke-devnet-usage-" + Guid.NewGuid().ToString("N"));

        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(),
            ["chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", "{\"Args\":["]);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.False(Directory.Exists(dir), "the usage error started (or created) an embedded network");
    }

    [Fact]
    public async Task An_empty_devnet_folder_exits_2()
    {
        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(),
            ["chaincode", "invoke", "--devnet", "", "-C", "mychannel", "-n", "basic", "-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}"]);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        outcome.AssertWellBehaved();
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

    /// <summary>A copy of the fixture MSP folder with one thing broken, and the path the message must name.</summary>
    private static (string Msp, string Named) BrokenMsp(string defect)
    {
        var msp = Directory.CreateTempSubdirectory("fabinvoke-msp-").FullName;
        foreach (var file in Directory.GetFiles(FixtureMsp, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(msp, Path.GetRelativePath(FixtureMsp, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var keystore = Path.Combine(msp, "keystore");
        var key = Path.Combine(keystore, "priv_sk");
        var signcerts = Path.Combine(msp, "signcerts");
        var cert = Directory.GetFiles(signcerts).Single();
        var variants = Path.Combine(AppContext.BaseDirectory, "Fixtures", "identities");
        switch (defect)
        {
            case "empty keystore":
                File.Delete(key);
                return (msp, keystore);
            case "empty signcerts":
                File.Delete(cert);
                return (msp, signcerts);
            case "signcert is not a certificate":
                File.WriteAllText(cert, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
                return (msp, cert);
            case "key of another identity":
                File.Copy(Path.Combine(variants, "org2-user1", "msp", "keystore", "priv_sk"), key, overwrite: true);
                return (msp, keystore);
            case "encrypted key":
                using (var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
                {
                    File.WriteAllText(key, ec.ExportEncryptedPkcs8PrivateKeyPem("secret".AsSpan(),
                        new System.Security.Cryptography.PbeParameters(System.Security.Cryptography.PbeEncryptionAlgorithm.Aes128Cbc, System.Security.Cryptography.HashAlgorithmName.SHA256, 1000)));
                }

                return (msp, key);
            case "RSA key":
                using (var rsa = System.Security.Cryptography.RSA.Create(2048))
                {
                    File.WriteAllText(key, rsa.ExportPkcs8PrivateKeyPem());
                }

                return (msp, key);
            default:
                throw new ArgumentOutOfRangeException(nameof(defect));
        }
    }

    [Theory]
    [InlineData("empty keystore")]
    [InlineData("empty signcerts")]
    [InlineData("signcert is not a certificate")]
    [InlineData("key of another identity")]
    [InlineData("encrypted key")]
    [InlineData("RSA key")]
    public async Task Unusable_MSP_folders_exit_3_with_one_line_naming_the_file(string defect)
    {
        var (msp, named) = BrokenMsp(defect);
        try
        {
            var outcome = await CliRun.RunAsync(Env(msp), Invoke("-c", "{\"Args\":[\"Put\",\"k\",\"v\"]}"));

            Assert.True(outcome.ExitCode == 3, outcome.ToString());
            Assert.Contains(named, Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", outcome.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(msp, recursive: true);
        }
    }
}
