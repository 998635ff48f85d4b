using System.CommandLine;
using System.Diagnostics;
using FabricInvoke.Cli;
using FabricInvoke.Cli.Commands;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.EndToEnd.Tests.Cli;

/// <summary>Every command's --help ends with two worked examples, and each example is a command line the parser accepts.</summary>
public sealed class HelpExamplesTests
{
    public static TheoryData<string> Commands() => ["", "chaincode invoke", "chaincode query", "events chaincode", "events blocks", "devnet up", "completion"];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_ends_with_two_worked_examples(string command)
    {
        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        Assert.Equal(0, outcome.ExitCode);
        var lines = outcome.Stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd()).ToList();
        var header = lines.LastIndexOf("Examples:");
        Assert.True(header > 0, $"no Examples: section in the help of '{command}'\n{outcome.Stdout}");
        var examples = lines[(header + 1)..];
        Assert.Equal(4, examples.Count);
        Assert.All(examples.Where((_, i) => i % 2 == 0), l => Assert.Matches(@"^  \S.*:$", l));
        var typed = $"    fabinvoke {command}".TrimEnd();
        Assert.All(examples.Where((_, i) => i % 2 == 1), l => Assert.True(l == typed || l.StartsWith(typed + " ", StringComparison.Ordinal), $"'{l}' is not a '{command}' command line"));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Each_example_parses_as_the_command_it_illustrates(string command)
    {
        Assert.Equal(2, HelpExamples.ByCommand[command].Length);
        foreach (var (_, line) in HelpExamples.ByCommand[command])
        {
            // The shell's own word splitting (quotes included), as a user's shell would split the pasted line.
            var words = await ShellWordsAsync(line);
            Assert.Equal("fabinvoke", words[0]);
            var context = new CliContext(new ConfigurationBuilder().Build(), TextWriter.Null, TextWriter.Null);

            var parse = FabInvokeApp.BuildRoot(context).Parse(words[1..]);

            Assert.True(parse.Errors.Count == 0, $"'{line}': {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            var illustrated = HelpExamples.PathOf(parse.CommandResult.Command);
            Assert.True(command.Length == 0 || illustrated == command, $"'{line}' is an example of '{illustrated}', not of '{command}'");
        }
    }

    private static async Task<string[]> ShellWordsAsync(string line)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"printf '%s\\0' {line}");
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(CliRun.Bound);
        await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
        Assert.Equal(0, process.ExitCode);
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }
}
