using Xunit;

namespace FabricInvoke.Testing;

/// <summary>What a user sees after one fabinvoke command: exit code, stdout, stderr, wall time.</summary>
public sealed record CliOutcome(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>The codes README.md documents for a run that did not crash (1 means a bug).</summary>
    public static readonly IReadOnlySet<int> DocumentedNonInternal = new HashSet<int> { 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 130, 141 };

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalMilliseconds:0}ms\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

    public IReadOnlyList<string> StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The lines starting with "Error: ".</summary>
    public IReadOnlyList<string> ErrorLines => StderrLines.Where(l => l.StartsWith("Error: ", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The contract every failure keeps: a documented exit code other than 1, exactly one <c>Error:</c> line (none on
    /// success), no stack trace and no control characters anywhere.
    /// </summary>
    public void AssertWellBehaved()
    {
        Assert.True(DocumentedNonInternal.Contains(ExitCode), $"undocumented or internal exit code\n{this}");
        Assert.True(ErrorLines.Count == (ExitCode == 0 ? 0 : 1), $"expected {(ExitCode == 0 ? "no" : "exactly one")} Error: line\n{this}");
        var all = (Stdout + "\n" + Stderr).Split('\n');
        Assert.False(all.Any(l => l.StartsWith("   at ", StringComparison.Ordinal)), $"stack trace in the output\n{this}");
        Assert.False((Stdout + Stderr).Any(c => char.IsControl(c) && c is not '\n' and not '\t'), $"control characters (a terminal would interpret ESC) in the output\n{this}");
    }
}
