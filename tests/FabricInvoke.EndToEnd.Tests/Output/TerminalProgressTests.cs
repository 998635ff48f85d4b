using System.Diagnostics;
using System.Text.RegularExpressions;
using FabricInvoke.Cli;
using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Testing;

namespace FabricInvoke.EndToEnd.Tests.Output;

/// <summary>
/// The live progress line and colour, seen as a user sees them: the real fabinvoke process with stderr on a
/// pseudo-terminal (util-linux <c>script</c>, which gives the child a pty and copies what it shows), or redirected.
/// </summary>
public sealed partial class TerminalProgressTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public TerminalProgressTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    /// <summary>Erase-line, the status line's own escape sequence.</summary>
    private const string EraseLine = "\u001b[K";

    [GeneratedRegex("\u001b\\[[0-9;]*m")]
    private static partial Regex ColourCode();

    /// <summary>A carriage return that does not end a line (the pty turns every \n into \r\n): a line rewritten in place.</summary>
    [GeneratedRegex("\r(?!\n)")]
    private static partial Regex Rewrite();

    [Fact]
    public async Task On_a_terminal_the_invoke_shows_its_phases_and_commits_then_erases_the_line_before_its_final_one()
    {
        var (code, screen) = await RunAsync(pty: true, Invoke("pr-1"));

        Assert.True(code == 0, screen);
        Assert.Contains("endorsing on 2 peers (", screen, StringComparison.Ordinal);
        Assert.Contains("waiting for the commit: committed on ", screen, StringComparison.Ordinal);
        Assert.Matches(@"committed on [0-2]/2 peers \([0-9]+\.[0-9] s\)", screen);

        // The final line starts right after an erased status line, and nothing follows it on its line (the runtime may
        // still reset the terminal's keypad mode after it).
        Assert.Matches("\r\u001b\\[K[0-9]{4}-[0-9]{2}-[0-9]{2} [^\r\n]*Chaincode invoke successful[^\r\n\u001b]*\r\n(\u001b[^\r\n]*)?$", screen);
        Assert.Contains("\u001b[36mINFO\u001b[0m [chaincodeCmd]", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NO_COLOR_removes_the_colour_but_keeps_the_progress_line()
    {
        var (code, screen) = await RunAsync(pty: true, Invoke("pr-2"), ("NO_COLOR", ""));

        Assert.True(code == 0, screen);
        Assert.Contains(EraseLine, screen, StringComparison.Ordinal);
        Assert.Contains("committed on ", screen, StringComparison.Ordinal);
        Assert.DoesNotMatch(ColourCode(), screen);
        Assert.Contains(" INFO [chaincodeCmd] ", screen, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CI", "true")]
    [InlineData("CI", "")]
    [InlineData("FABINVOKE_NO_PROGRESS", "true")]
    public async Task On_a_terminal_CI_or_FABINVOKE_NO_PROGRESS_leave_no_progress_line(string variable, string value)
    {
        var (code, screen) = await RunAsync(pty: true, Invoke("pr-3"), (variable, value));

        Assert.True(code == 0, screen);
        Assert.Contains("Chaincode invoke successful", screen, StringComparison.Ordinal);
        Assert.DoesNotContain(EraseLine, screen, StringComparison.Ordinal);
        Assert.DoesNotMatch(Rewrite(), screen);
        Assert.DoesNotContain("committed on ", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_no_progress_leaves_no_progress_line()
    {
        var (code, screen) = await RunAsync(pty: true, [.. Invoke("pr-4"), "--no-progress"]);

        Assert.True(code == 0, screen);
        Assert.DoesNotContain(EraseLine, screen, StringComparison.Ordinal);
        Assert.DoesNotMatch(Rewrite(), screen);
        Assert.Contains("committed with status (VALID)", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_devnet_FABINVOKE_NO_PROGRESS_still_leaves_no_progress_line()
    {
        // --devnet used to bind every setting a second time from a faked environment that lacked this variable.
        var folder = Directory.CreateTempSubdirectory("fabinvoke-noprogress-").FullName;
        try
        {
            string[] args = ["chaincode", "invoke", "--devnet", folder, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","pr-6","v"]}""", "--waitForEvent"];

            var (code, screen) = await RunAsync(pty: true, [.. args], ("FABINVOKE_NO_PROGRESS", "true"));

            Assert.True(code == 0, screen);
            Assert.Contains("Chaincode invoke successful", screen, StringComparison.Ordinal);
            Assert.DoesNotContain(EraseLine, screen, StringComparison.Ordinal);
            Assert.DoesNotMatch(Rewrite(), screen);
            Assert.DoesNotContain("committed on ", screen, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    [Fact]
    public async Task Redirected_stderr_gets_neither_progress_nor_colour_even_outside_CI()
    {
        var (code, stderr) = await RunAsync(pty: false, Invoke("pr-5"));

        Assert.True(code == 0, stderr);
        Assert.Contains("Chaincode invoke successful", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', stderr);
        Assert.DoesNotContain('\u001b', stderr);
    }

    private List<string> Invoke(string key) => _net.InvokeArgs($$"""{"Args":["Put","{{key}}","v"]}""");

    /// <summary>
    /// Runs fabinvoke with CI, NO_COLOR and FABINVOKE_NO_PROGRESS unset unless given. With <paramref name="pty"/>, its
    /// stdout and stderr are a pseudo-terminal and what it showed is returned; without, its redirected stderr.
    /// </summary>
    private async Task<(int Code, string Output)> RunAsync(bool pty, List<string> args, params (string Name, string Value)[] variables)
    {
        var command = new List<string> { "dotnet", typeof(FabInvokeApp).Assembly.Location };
        command.AddRange(args);
        var info = pty ? new ProcessStartInfo("script") : new ProcessStartInfo(command[0]);
        if (pty)
        {
            // -q quiet, -f flush at once, -e the child's exit code; the transcript file is not wanted.
            foreach (var a in new[] { "-qfec", string.Join(' ', command.Select(Quote)), "/dev/null" })
            {
                info.ArgumentList.Add(a);
            }
        }
        else
        {
            foreach (var a in command.Skip(1))
            {
                info.ArgumentList.Add(a);
            }
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        ChildProcess.WithoutPeerSettings(info, "CI", "NO_COLOR", "FABINVOKE_NO_PROGRESS");

        foreach (var (key, value) in _net.UserEnvironment())
        {
            info.Environment[key] = value;
        }

        foreach (var (name, value) in variables)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
        await Task.WhenAll(stdout, stderr).WaitAsync(CliRun.Bound);
        return (process.ExitCode, pty ? await stdout : await stderr);
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
