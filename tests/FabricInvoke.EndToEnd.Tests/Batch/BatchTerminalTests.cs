using System.Diagnostics;
using FabricInvoke.Cli;
using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Testing;

namespace FabricInvoke.EndToEnd.Tests.Batch;

/// <summary>
/// A batch's live line (done / failed / in flight / tx/s) as a user sees it: the real process with stderr on a
/// pseudo-terminal (util-linux <c>script</c>), and not with FABINVOKE_NO_PROGRESS.
/// </summary>
public sealed class BatchTerminalTests : IClassFixture<NetworkFixture>, IDisposable
{
    private readonly NetworkFixture _net;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fabinvoke-batcht-" + Guid.NewGuid().ToString("N"));

    public BatchTerminalTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task On_a_terminal_the_batch_shows_done_failed_in_flight_and_tx_per_second_unless_FABINVOKE_NO_PROGRESS(bool noProgress)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var input = Path.Combine(_dir, "tty.jsonl");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, 20).Select(i => $$"""{"Args":["Put","{{run}}-t{{i}}","v"]}"""));

        var (code, screen) = await OnTerminalAsync(BatchTests.BatchArgs(_net, input, "--concurrency", "4"), noProgress);

        Assert.True(code == 0, screen);
        Assert.Contains("batch: 20 lines, 20 valid, 0 failed, 0 skipped, ", screen, StringComparison.Ordinal);
        if (noProgress)
        {
            Assert.DoesNotContain(" in flight, ", screen, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[K", screen, StringComparison.Ordinal);
        }
        else
        {
            Assert.Matches(@"batch: [0-9]+/20 done, [0-9]+ failed, [0-9]+ in flight, [0-9]+\.[0-9] tx/s", screen);
            // Erased before the summary, which starts on a clean line.
            Assert.Matches("\r\u001b\\[Kbatch: 20 lines, ", screen);
        }
    }

    private async Task<(int Code, string Screen)> OnTerminalAsync(List<string> args, bool noProgress)
    {
        var command = string.Join(' ', new[] { "dotnet", typeof(FabInvokeApp).Assembly.Location }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var info = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "-qfec", command, "/dev/null" })
        {
            info.ArgumentList.Add(a);
        }

        ChildProcess.WithoutPeerSettings(info, "CI", "NO_COLOR", "FABINVOKE_NO_PROGRESS");

        foreach (var (key, value) in _net.UserEnvironment())
        {
            info.Environment[key] = value;
        }

        if (noProgress)
        {
            info.Environment["FABINVOKE_NO_PROGRESS"] = "1";
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
        return (process.ExitCode, await output + await error);
    }
}
