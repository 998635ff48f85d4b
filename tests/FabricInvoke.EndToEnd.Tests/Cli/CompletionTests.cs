using System.Diagnostics;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Cli;

/// <summary>
/// <c>fabinvoke completion bash|zsh|pwsh</c> prints a script that asks fabinvoke's own parser through the
/// <c>[suggest:POSITION]</c> directive; the directive completes commands, flags and file paths.
/// </summary>
public sealed class CompletionTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];
    private readonly string _folder = Directory.CreateTempSubdirectory("fabinvoke-completion-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Task<CliOutcome> SuggestAsync(string line) => CliRun.RunAsync(NoEnvironment, [$"[suggest:{line.Length}]", line]);

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    [Fact]
    public async Task The_suggest_directive_completes_a_command()
    {
        var outcome = await SuggestAsync("fabinvoke ch");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(["chaincode"], Lines(outcome.Stdout));
    }

    [Fact]
    public async Task The_suggest_directive_completes_a_flag_of_the_command_being_typed()
    {
        var outcome = await SuggestAsync("fabinvoke chaincode invoke --tlsR");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(["--tlsRootCertFiles"], Lines(outcome.Stdout));
    }

    [Theory]
    [InlineData("chaincode invoke --cafile")]
    [InlineData("chaincode invoke --tlsRootCertFiles")]
    [InlineData("chaincode query --tlsRootCertFiles")]
    [InlineData("chaincode invoke --certfile")]
    [InlineData("chaincode invoke --keyfile")]
    [InlineData("events chaincode --checkpoint")]
    [InlineData("events blocks --checkpoint")]
    [InlineData("chaincode invoke --connectionProfile")]
    [InlineData("chaincode query --connectionProfile")]
    [InlineData("events chaincode --connectionProfile")]
    public async Task File_flags_complete_file_paths(string flag)
    {
        File.WriteAllText(Path.Combine(_folder, "org1-tlsca.pem"), "");
        File.WriteAllText(Path.Combine(_folder, "org2-tlsca.pem"), "");
        File.WriteAllText(Path.Combine(_folder, "other.txt"), "");
        Directory.CreateDirectory(Path.Combine(_folder, "organizations"));

        var outcome = await SuggestAsync($"fabinvoke {flag} {_folder}/or");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal([$"{_folder}/org1-tlsca.pem", $"{_folder}/org2-tlsca.pem", $"{_folder}/organizations/"], Lines(outcome.Stdout));
    }

    [Theory]
    [InlineData("chaincode invoke", new[] { "--tlsRootCertFiles <FILE>", "--connectionProfile <FILE>", "--cafile <FILE>", "--certfile <FILE>", "--keyfile <FILE>", "<DIR>" })]
    [InlineData("chaincode query", new[] { "--tlsRootCertFiles <FILE>", "--connectionProfile <FILE>" })]
    [InlineData("events chaincode", new[] { "--checkpoint <FILE>", "--connectionProfile <FILE>" })]
    [InlineData("devnet up", new[] { "--dir <DIR>", "--timings <FILE>" })]
    public async Task Help_run_in_a_folder_with_files_names_file_values_FILE_or_DIR_never_the_folders_files(string command, string[] expected)
    {
        foreach (var name in new[] { "a", "b", "secret.pem" })
        {
            File.WriteAllText(Path.Combine(_folder, name), "");
        }

        var outcome = await FabinvokeProcess.RunAsync(_folder, [.. command.Split(' '), "--help"]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        foreach (var text in expected)
        {
            Assert.Contains(text, outcome.Stdout, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("secret.pem", outcome.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("<a|b", outcome.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chaincode invoke --devnet")]
    [InlineData("devnet up --dir")]
    public async Task Folder_flags_complete_paths(string flag)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "net-a"));

        var outcome = await SuggestAsync($"fabinvoke {flag} {_folder}/ne");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal([$"{_folder}/net-a/"], Lines(outcome.Stdout));
    }

    [Fact]
    public async Task The_shell_argument_completes_to_the_known_shells()
    {
        var all = await SuggestAsync("fabinvoke completion ");
        var b = await SuggestAsync("fabinvoke completion b");

        Assert.Equal(0, all.ExitCode);
        Assert.Subset(Lines(all.Stdout).ToHashSet(), new HashSet<string> { "bash", "zsh", "pwsh" });
        Assert.Equal(["bash"], Lines(b.Stdout));
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    [InlineData("pwsh")]
    public async Task Each_script_is_printed_and_uses_the_suggest_directive(string shell)
    {
        var outcome = await CliRun.RunAsync(NoEnvironment, ["completion", shell]);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("", outcome.Stderr);
        Assert.Contains("[suggest:", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("fabinvoke", outcome.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    [InlineData("pwsh")]
    public async Task Each_script_is_valid_for_its_shell_where_that_shell_is_installed(string shell)
    {
        if (Which(shell) is not { } program)
        {
            return; // no such shell on this machine, so nothing can check the syntax (bash is always there; .ci/run installs zsh)
        }

        var script = Path.Combine(_folder, "completion." + shell);
        File.WriteAllText(script, (await CliRun.RunAsync(NoEnvironment, ["completion", shell])).Stdout);
        string[] args = shell == "pwsh"
            ? ["-NoProfile", "-Command", $"$e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile('{script}', [ref]$null, [ref]$e); if ($e) {{ $e; exit 1 }}"]
            : ["-n", script];

        var check = await RunAsync(program, args);

        Assert.True(check.ExitCode == 0, $"{shell} rejects the script\n{check}");
    }

    [Fact]
    public async Task The_bash_script_completes_through_the_real_program()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // bash completion is for POSIX shells
        }

        File.WriteAllText(Path.Combine(_folder, "org1-tlsca.pem"), "");
        var program = Path.Combine(_folder, "fabinvoke");
        File.WriteAllText(program, $"#!/bin/sh\nexec dotnet '{typeof(FabricInvoke.Cli.FabInvokeApp).Assembly.Location}' \"$@\"\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = Path.Combine(_folder, "completion.bash");
        File.WriteAllText(script, (await CliRun.RunAsync(NoEnvironment, ["completion", "bash"])).Stdout);

        // What bash sets before it calls a completion function, for the line typed so far.
        var check = await RunAsync("bash", ["-c", """
            source "$1"
            complete -p fabinvoke
            line="$2 chaincode invoke --waitForEv"
            COMP_LINE="$line" COMP_POINT=${#line} COMP_WORDS=("$2" chaincode invoke --waitForEv) COMP_CWORD=3
            _fabinvoke_complete; printf '%s\n' "${COMPREPLY[@]}"
            line="$2 chaincode invoke --cafile $3/org1-"
            COMP_LINE="$line" COMP_POINT=${#line} COMP_WORDS=("$2" chaincode invoke --cafile "$3/org1-") COMP_CWORD=4
            _fabinvoke_complete; printf '%s\n' "${COMPREPLY[@]}"
            """, "bash", script, program, _folder]);

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal(["complete -F _fabinvoke_complete fabinvoke", "--waitForEvent", "--waitForEventTimeout", $"{_folder}/org1-tlsca.pem"], Lines(check.Stdout));
    }

    [Fact]
    public async Task An_unknown_shell_is_a_usage_error_with_one_line()
    {
        var outcome = await CliRun.RunAsync(NoEnvironment, ["completion", "fish"]);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal(["Error: unknown shell 'fish' for fabinvoke completion: use bash, zsh, pwsh"], outcome.StderrLines);
        Assert.Equal("", outcome.Stdout);
    }

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    private static async Task<CliOutcome> RunAsync(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
        var streams = await output.WaitAsync(CliRun.Bound);
        return new CliOutcome(process.ExitCode, streams[0], streams[1], Stopwatch.GetElapsedTime(started));
    }
}
