using System.Text.RegularExpressions;
using FabricInvoke.Cli.Settings;

namespace FabricInvoke.EndToEnd.Tests.Docs;

/// <summary>
/// README's "Moving from `peer chaincode invoke`" table cannot rot: every peer CLI flag and variable is in it, every
/// flag or variable it says fabinvoke takes is a row of the settings tables, and every one it says is refused is not,
/// and really is refused (exit 2, naming it).
/// </summary>
public sealed partial class MigrationGuideTests
{
    /// <summary>What the Go peer CLI's chaincode invoke / query take (shared/design/PEER-CLI-FACTS.md, Fabric's ordererenv flags).</summary>
    private static readonly string[] PeerCli =
    [
        "-C", "--channelID", "-n", "--name", "-c", "--ctor", "-I", "--isInit", "--transient", "--peerAddresses", "--tlsRootCertFiles",
        "--connectionProfile", "--waitForEvent", "--waitForEventTimeout", "-o", "--orderer", "--tls", "--cafile", "--clientauth", "--certfile",
        "--keyfile", "--ordererTLSHostnameOverride", "--connTimeout", "--tlsHandshakeTimeShift", "-r", "--raw", "-x", "--hex",
        "CORE_PEER_ADDRESS", "CORE_PEER_LOCALMSPID", "CORE_PEER_MSPCONFIGPATH", "CORE_PEER_TLS_ENABLED", "CORE_PEER_TLS_ROOTCERT_FILE",
        "CORE_PEER_TLS_CLIENTAUTHREQUIRED", "CORE_PEER_TLS_CLIENTCERT_FILE", "CORE_PEER_TLS_CLIENTKEY_FILE", "CORE_PEER_TLS_SERVERHOSTOVERRIDE",
        "CORE_PEER_CLIENT_CONNTIMEOUT", "FABRIC_LOGGING_SPEC",
    ];

    private static readonly HashSet<string> Known =
        InvokeSettingsTable.All.Concat(InvokeSettingsTable.QueryOnly).Concat(EventsSettingsTable.All)
            .SelectMany(s => s.Env is null ? s.Flags : [.. s.Flags, s.Env]).ToHashSet(StringComparer.Ordinal);

    private sealed record Row(string Line, IReadOnlyList<string> Peer, string Fabinvoke, IReadOnlyList<string> FabinvokeNames);

    private static List<Row> Rows()
    {
        var readme = ReadmeTests.ReadmeText().ReplaceLineEndings("\n");
        var start = readme.IndexOf("\n## Moving from `peer chaincode invoke`\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no 'Moving from `peer chaincode invoke`' section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        var rows = section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l =>
        {
            var cells = l.Split('|');
            return new Row(l, Names(cells[1]), cells[2].Trim(), Names(cells[2]));
        }).ToList();
        Assert.True(rows.Count >= 20, "the mapping table has rows");
        return rows;
    }

    private static List<string> Names(string cell) =>
        Code().Matches(cell).Select(m => m.Groups[1].Value).Where(n => n.StartsWith('-') || EnvName().IsMatch(n)).ToList();

    private static bool Refused(Row row) => row.Fabinvoke.StartsWith("refused", StringComparison.Ordinal);

    private static bool NotRead(Row row) => row.Fabinvoke.StartsWith("not read", StringComparison.Ordinal);

    [Fact]
    public void Every_peer_cli_flag_and_variable_has_a_row()
    {
        var mapped = Rows().SelectMany(r => r.Peer).ToHashSet(StringComparer.Ordinal);

        var unmapped = PeerCli.Where(n => !mapped.Contains(n)).ToList();
        Assert.True(unmapped.Count == 0, $"README's migration table has no row for {string.Join(", ", unmapped)}");
    }

    [Fact]
    public void Every_flag_and_variable_it_maps_to_is_a_fabinvoke_setting()
    {
        foreach (var row in Rows().Where(r => !Refused(r) && !NotRead(r)))
        {
            Assert.True(row.FabinvokeNames.Count > 0, $"a row that is neither refused nor 'not read' names what fabinvoke takes: {row.Line}");
            var missing = row.Peer.Concat(row.FabinvokeNames).Where(n => !Known.Contains(n)).ToList();
            Assert.True(missing.Count == 0, $"not in the settings tables: {string.Join(", ", missing)}\n{row.Line}");
        }
    }

    [Fact]
    public void What_it_calls_refused_or_not_read_is_no_fabinvoke_setting()
    {
        foreach (var row in Rows().Where(r => Refused(r) || NotRead(r)))
        {
            var known = row.Peer.Where(Known.Contains).ToList();
            Assert.True(known.Count == 0, $"the guide says {row.Fabinvoke.Split(':')[0]}, but the settings tables have {string.Join(", ", known)}: update the row\n{row.Line}");
        }
    }

    [Fact]
    public async Task A_refused_flag_is_a_usage_error_naming_it()
    {
        var refused = Rows().Where(Refused).SelectMany(r => r.Peer).ToList();
        Assert.NotEmpty(refused);
        foreach (var flag in refused)
        {
            var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), ["chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", flag, "x"]);

            Assert.True(outcome.ExitCode == 2, $"{flag}: {outcome}");
            Assert.Contains(flag, outcome.ErrorLines.Single(), StringComparison.Ordinal);
            outcome.AssertWellBehaved();
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")]
    private static partial Regex EnvName();
}
