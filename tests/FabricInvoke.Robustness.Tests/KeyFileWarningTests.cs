using FabricInvoke.Robustness.Tests.Infrastructure;

namespace FabricInvoke.Robustness.Tests;

/// <summary>A private key others can read draws one WARN line naming the file; a 0600 key draws none.</summary>
public sealed class KeyFileWarningTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static Dictionary<string, string?> Environment(TempMsp msp) => new()
    {
        ["CORE_PEER_LOCALMSPID"] = Fixtures.MspId,
        ["CORE_PEER_MSPCONFIGPATH"] = msp.Path,
    };

    // Nothing listens: the run ends quickly with exit 4, after the identity (and its warning) was loaded.
    private static string[] InvokeArgs(params string[] extra) =>
    [
        "chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""",
        "--peerAddresses", ClosedPort.Address(), "-o", ClosedPort.Address(), "--connTimeout", "200ms", .. extra,
    ];

    private static IReadOnlyList<string> Warnings(CliOutcome outcome) =>
        outcome.StderrLines.Where(l => l.Contains(" WARN [chaincodeCmd] ", StringComparison.Ordinal)).ToList();

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead, "0440")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite, "0606")]
    public async Task A_key_readable_by_others_is_named_in_a_warning(UnixFileMode mode, string octal)
    {
        using var msp = new TempMsp(mode);

        var outcome = await CliRun.RunAsync(Environment(msp), InvokeArgs());

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        outcome.AssertWellBehaved();
        var warning = Assert.Single(Warnings(outcome));
        Assert.EndsWith($"InitCmdFactory -> private key file {msp.KeyFile} is readable by group/others (mode {octal}); chmod 600 it", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_0600_key_draws_no_warning()
    {
        using var msp = new TempMsp(OwnerOnly);

        var outcome = await CliRun.RunAsync(Environment(msp), InvokeArgs());

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        Assert.Empty(Warnings(outcome));
    }

    [Fact]
    public async Task The_warning_follows_the_logging_spec()
    {
        using var msp = new TempMsp(OwnerOnly | UnixFileMode.OtherRead);
        var env = Environment(msp);
        env["FABRIC_LOGGING_SPEC"] = "error";

        var outcome = await CliRun.RunAsync(env, InvokeArgs());

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        Assert.Empty(Warnings(outcome));
    }

    [Fact]
    public async Task A_TLS_client_key_readable_by_others_is_named_too()
    {
        using var msp = new TempMsp(OwnerOnly);
        var tls = Path.Combine(Path.GetDirectoryName(msp.Path)!, "tls");
        Directory.CreateDirectory(tls);
        var clientCert = Path.Combine(tls, "client.crt");
        var clientKey = Path.Combine(tls, "client.key");
        File.Copy(Path.Combine(Fixtures.Identities, "org1-user1", "tls", "client.crt"), clientCert);
        File.Copy(Path.Combine(Fixtures.Identities, "org1-user1", "tls", "client.key"), clientKey);
        Fixtures.SetMode(clientKey, OwnerOnly | UnixFileMode.GroupRead);
        var env = Environment(msp);
        env["CORE_PEER_TLS_ENABLED"] = "true";
        env["CORE_PEER_TLS_CLIENTAUTHREQUIRED"] = "true";
        env["CORE_PEER_TLS_CLIENTCERT_FILE"] = clientCert;
        env["CORE_PEER_TLS_CLIENTKEY_FILE"] = clientKey;

        var outcome = await CliRun.RunAsync(env, InvokeArgs("--tlsRootCertFiles", Fixtures.Org1TlsCa));

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        var warning = Assert.Single(Warnings(outcome));
        Assert.Contains($"private key file {clientKey} is readable by group/others (mode 0640)", warning, StringComparison.Ordinal);
    }
}
