using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FabricInvoke.Cli;
using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Testing;

namespace FabricInvoke.EndToEnd.Tests.Events;

/// <summary>
/// Output integrity of the streaming commands (issue 22, D1): <c>fabinvoke events … --checkpoint c | head -n K</c>, for
/// K = 1…5, on every streaming command (events chaincode with and without --gateway, events blocks) and both output
/// formats, through a real pipe whose reader closes. The command must stop (exit 141, one Error line) instead of
/// streaming on into a pipe nobody reads — also when the reader goes while no further event is coming (K = 5: exactly
/// five are there) — and its checkpoint must name exactly the K-th line the reader printed: a restart resumes with the
/// next one, nothing skipped.
/// </summary>
public sealed class OutputIntegrityTests : IClassFixture<NetworkFixture>
{
    private const int Available = 5;
    private readonly NetworkFixture _net;

    public OutputIntegrityTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    /// <summary>Commits <see cref="Available"/> Puts, one block each, and returns the first one's block.</summary>
    private async Task<ulong> PutFiveAsync(string prefix)
    {
        ulong? first = null;
        for (var i = 0; i < Available; i++)
        {
            var outcome = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs($"{{\"Args\":[\"Put\",\"{prefix}-{i}\",\"v\"]}}"));
            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            first ??= _net.Network.Peers[0].Height - 1;
        }

        return first!.Value;
    }

    [Theory]
    [InlineData("chaincode", false, "text")]
    [InlineData("chaincode", false, "json")]
    [InlineData("chaincode", true, "text")]
    [InlineData("chaincode", true, "json")]
    [InlineData("blocks", false, "text")]
    [InlineData("blocks", false, "json")]
    public async Task Piped_into_head_n_K_the_stream_stops_with_exit_141_and_its_checkpoint_names_the_Kth_line(string command, bool gateway, string format)
    {
        var first = await PutFiveAsync($"head-{command}-{gateway}-{format}");
        var folder = Directory.CreateTempSubdirectory("fabinvoke-head-").FullName;
        try
        {
            for (var k = 1; k <= Available; k++)
            {
                var checkpoint = Path.Combine(folder, $"k{k}.ckpt");
                var args = new List<string> { "events", command, "-C", _net.Network.ChannelId };
                if (command == "chaincode")
                {
                    args.AddRange(["-n", "basic", "--event", "Put"]);
                }

                // The rows of a class run one after another: from `first` on there are exactly five lines to read.
                args.AddRange(["--start", first.ToString(CultureInfo.InvariantCulture), "--output", format, "--checkpoint", checkpoint]);
                if (gateway)
                {
                    args.Add("--gateway");
                }

                args.AddRange(["--peerAddresses", _net.Network.Peers[0].Address, "--tlsRootCertFiles", _net.Network.Peers[0].TlsRootCertFile]);

                var (code, printed, stderr) = await PipeIntoHeadAsync(args, k);

                var context = $"head -n {k}: exit {code}\n--- head printed\n{printed}\n--- stderr\n{stderr}";
                Assert.True(code == 141, context);
                var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.True(lines.Length == k, context);
                var error = Assert.Single(stderr.Split('\n'), l => l.StartsWith("Error: ", StringComparison.Ordinal));
                Assert.Contains("results can no longer be delivered: stdout's reader went away", error, StringComparison.Ordinal);

                // The checkpoint records the K-th line, the last one the reader took — not one more.
                using var recorded = JsonDocument.Parse(File.ReadAllText(checkpoint));
                var (block, txid) = Position(lines[^1], format);
                Assert.True(block == recorded.RootElement.GetProperty("block").GetUInt64(), context + "\n--- checkpoint\n" + File.ReadAllText(checkpoint));
                if (txid is not null)
                {
                    Assert.Equal(txid, recorded.RootElement.GetProperty("txid").GetString());
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The block and txid of one printed line (the txid only for chaincode events).</summary>
    private static (ulong Block, string? TxId) Position(string line, string format)
    {
        if (format == "json")
        {
            using var doc = JsonDocument.Parse(line);
            var txid = doc.RootElement.TryGetProperty("txid", out var t) ? t.GetString() : null;
            return (doc.RootElement.GetProperty("block").GetUInt64(), txid);
        }

        var fields = line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
        return (ulong.Parse(fields["block"], CultureInfo.InvariantCulture), fields.GetValueOrDefault("txid"));
    }

    /// <summary>Runs <c>fabinvoke ARGS | head -n K</c> under bash: fabinvoke's exit code, what head printed, fabinvoke's stderr.</summary>
    private async Task<(int Code, string Printed, string Stderr)> PipeIntoHeadAsync(List<string> args, int k)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"dotnet \"$@\" | head -n {k}; exit ${{PIPESTATUS[0]}}");
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add(typeof(FabInvokeApp).Assembly.Location);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        ChildProcess.WithoutPeerSettings(info);

        foreach (var (key, value) in _net.UserEnvironment())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"fabinvoke | head -n {k} did not end within {CliRun.Bound.TotalSeconds}s (the stream went on after its reader left)");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
