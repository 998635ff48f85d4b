using System.Text.RegularExpressions;

namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>
/// The failure classes README "Exit codes" documents, which both CLIs' outcomes are reduced to: fabinvoke by its exit
/// code, the Go <c>peer</c> CLI (which exits 1 for every failure) by its <c>Error:</c> message.
/// </summary>
public enum OutcomeClass
{
    Success,
    Usage,
    Config,
    Connection,
    Endorsement,
    Ordering,
    Invalidated,
    CommitTimeout,
    Deliver,

    /// <summary>An exit code or a Go message no class matches (the test shows it).</summary>
    Unclassified,
}

/// <summary>Reads an outcome class, the committed-at peers and the nodes an error names from either CLI's output.</summary>
public static partial class Outcomes
{
    /// <summary>fabinvoke's class: its exit code (src/FabricInvoke.Cli/Output/ExitCodes.cs).</summary>
    public static OutcomeClass OfFabinvoke(CliOutcome outcome) => outcome.ExitCode switch
    {
        0 => OutcomeClass.Success,
        2 => OutcomeClass.Usage,
        3 => OutcomeClass.Config,
        4 => OutcomeClass.Connection,
        5 => OutcomeClass.Endorsement,
        6 => OutcomeClass.Ordering,
        7 => OutcomeClass.Invalidated,
        8 => OutcomeClass.CommitTimeout,
        9 => OutcomeClass.Deliver,
        _ => OutcomeClass.Unclassified,
    };

    /// <summary>
    /// The Go CLI's class, from its message (internal/peer/chaincode/common.go, internal/peer/common; the texts of
    /// /work/shared/design/PEER-CLI-FACTS.md as Fabric 2.4.9 and 3.0.0 print them).
    /// </summary>
    public static OutcomeClass OfGoCli(CliOutcome outcome)
    {
        if (outcome.ExitCode == 0)
        {
            return OutcomeClass.Success;
        }

        var message = GoError(outcome);
        return message switch
        {
            _ when Has(message, "Cannot run peer because", "error getting default signer", "error when setting up MSP",
                "failed to load", "could not load a valid signer certificate") => OutcomeClass.Config,
            _ when Has(message, "unknown flag", "unknown shorthand flag", "must supply", "chaincode argument error",
                "invalid character", "error parsing chaincode") => OutcomeClass.Usage,
            _ when Has(message, "transaction invalidated with status") => OutcomeClass.Invalidated,
            _ when Has(message, "timed out waiting for txid") => OutcomeClass.CommitTimeout,
            _ when Has(message, "deliver completed with status") => OutcomeClass.Deliver,
            _ when Has(message, "failed to connect", "failed to create new connection", "error getting broadcast client",
                "timed out waiting for connection to deliver") => OutcomeClass.Connection,
            _ when Has(message, "endorsement failure during", "error endorsing", "could not assemble transaction",
                "ProposalResponsePayloads do not match") => OutcomeClass.Endorsement,
            _ when Has(message, "error sending transaction", "got unexpected status") => OutcomeClass.Ordering,
            _ => OutcomeClass.Unclassified,
        };
    }

    /// <summary>The Go CLI's error: its <c>Error:</c> line, else its first ERRO log line (an MSP it cannot load).</summary>
    public static string GoError(CliOutcome outcome)
    {
        var lines = Plain(outcome.Stderr).Split('\n');
        return lines.FirstOrDefault(l => l.StartsWith("Error: ", StringComparison.Ordinal))
            ?? lines.FirstOrDefault(l => l.Contains(" ERRO ", StringComparison.Ordinal))
            ?? "";
    }

    /// <summary>fabinvoke's one <c>Error:</c> line ("" on success).</summary>
    public static string FabinvokeError(CliOutcome outcome) => outcome.ErrorLines.FirstOrDefault() ?? "";

    /// <summary>The peers a run reports a commit at (<c>committed with status (…) at ADDRESS</c>), sorted.</summary>
    public static IReadOnlyList<string> CommittedAt(CliOutcome outcome) =>
        CommittedAtLine().Matches(Plain(outcome.Stderr)).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The addresses among <paramref name="known"/> that <paramref name="message"/> names.</summary>
    public static IReadOnlyList<string> Named(string message, IEnumerable<string> known) =>
        known.Distinct().Where(a => NamesAddress(message, a)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The txid a run printed (a commit line, or fabinvoke's <c>(txid: …)</c>), or null.</summary>
    public static string? Txid(CliOutcome outcome) =>
        TxidText().Match(Plain(outcome.Stderr)) is { Success: true } m ? (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) : null;

    /// <summary>The text without ANSI colour codes (the Go CLI colours its log even when piped).</summary>
    public static string Plain(string text) => Ansi().Replace(text, "");

    private static bool NamesAddress(string message, string address)
    {
        // 127.0.0.1:4105 must not match inside 127.0.0.1:41051.
        var at = 0;
        while ((at = message.IndexOf(address, at, StringComparison.Ordinal)) >= 0)
        {
            var end = at + address.Length;
            if (end == message.Length || !char.IsDigit(message[end]))
            {
                return true;
            }

            at = end;
        }

        return false;
    }

    private static bool Has(string message, params string[] parts) => parts.Any(p => message.Contains(p, StringComparison.Ordinal));

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"committed with status \([A-Z_]+\) at (\S+)")]
    private static partial Regex CommittedAtLine();

    [GeneratedRegex(@"txid \[([0-9a-f]{64})\]|\(txid: ([0-9a-f]{64})\)")]
    private static partial Regex TxidText();
}
