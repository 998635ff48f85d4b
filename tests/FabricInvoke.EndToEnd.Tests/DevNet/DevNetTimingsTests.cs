using System.Globalization;
using System.Text.RegularExpressions;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>
/// <c>devnet up --timings FILE</c>: the network's own time per transaction, so a benchmark can tell DevNet's part of an
/// invoke from the client's.
/// </summary>
public sealed partial class DevNetTimingsTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("fabinvoke-timings-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public async Task The_timings_file_has_every_step_of_an_invoke_in_causal_order()
    {
        var dir = Path.Combine(_work, "net");
        var file = Path.Combine(_work, "timings.log");
        using var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir, "--timings", file);
        await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);
        var env = DevNetCommandTests.ReadEnvFile(Path.Combine(dir, "devnet.env"));
        var args = new List<string> { "chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","timed","1"]}""" };
        args.AddRange(env["FABINVOKE_PEERS"]!.Split(' '));
        args.AddRange(["-o", env["ORDERER_ADDRESS"]!, "--tls", "--cafile", env["ORDERER_CA"]!, "--waitForEvent"]);

        var put = await CliRun.RunAsync(env, args);
        up.Terminate();
        await up.WaitForExitAsync().WaitAsync(CliRun.Bound);

        Assert.True(put.ExitCode == 0, put.ToString());
        var txId = TxIdLine().Match(put.Stderr).Groups[1].Value;
        var lines = File.ReadAllLines(file).Select(Parse).Where(l => l.TxId == txId).ToList();
        Assert.True(lines.Count > 0, $"no line for txid {txId}:\n{File.ReadAllText(file)}");
        var events = lines.Select(l => l.Event).ToList();
        var shown = string.Join('\n', lines.Select(l => l.Text));

        // Written as it happened: the file's order is the clocks' order.
        Assert.True(lines.Zip(lines.Skip(1)).All(p => p.First.At <= p.Second.At), shown);
        Assert.Equal("received", events[0]);
        Assert.Contains(lines, l => l.Event == "answered" && l.Text.Contains("status=Success", StringComparison.Ordinal));
        var cut = Assert.Single(lines, l => l.Event == "cut");
        Assert.Contains("reason=timeout", cut.Text, StringComparison.Ordinal);
        Assert.Contains("batch-timeout=100ms", cut.Text, StringComparison.Ordinal);
        var validated = lines.Where(l => l.Event == "validated").ToList();
        Assert.Equal(2, validated.Select(l => l.Node).Distinct().Count());
        Assert.All(validated, l => Assert.True(events.IndexOf("cut") < lines.IndexOf(l), shown));
        foreach (var peer in validated)
        {
            // Each peer's deliver stream (the client's) sent the block only after that peer validated it.
            var delivered = lines.Where(l => l.Event == "delivered" && l.Node == peer.Node).ToList();
            Assert.NotEmpty(delivered);
            Assert.All(delivered, d => Assert.True(lines.IndexOf(peer) < lines.IndexOf(d), shown));
            Assert.All(delivered, d => Assert.Contains(BlockOf(cut), d.Text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Without_a_file_name_timings_is_a_usage_error()
    {
        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), ["devnet", "up", "--dir", Path.Combine(_work, "n"), "--timings", " "]);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains("--timings needs a file name", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_work, "n")), "a usage error leaves nothing on disk");
    }

    [Fact]
    public async Task A_fifo_for_timings_is_refused_before_anything_starts_instead_of_hanging_the_start()
    {
        var fifo = Path.Combine(_work, "timings.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync().WaitAsync(CliRun.Bound);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var dir = Path.Combine(_work, "fifo-net");
        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), ["devnet", "up", "--dir", dir, "--timings", fifo]);

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        Assert.Equal($"Error: --timings needs a regular file, not a FIFO, socket or terminal: {fifo}", Assert.Single(outcome.ErrorLines));
        Assert.False(Directory.Exists(dir), "a refused start leaves nothing on disk");
    }

    [Fact]
    public async Task A_folder_for_timings_is_refused_naming_it_not_the_devnet_folder()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_work, "a-folder")).FullName;
        var dir = Path.Combine(_work, "dir-net");

        var outcome = await CliRun.RunAsync(new Dictionary<string, string?>(), ["devnet", "up", "--dir", dir, "--timings", folder]);

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        Assert.Equal($"Error: --timings needs a file to append to, not a folder: {folder}", Assert.Single(outcome.ErrorLines));
        Assert.False(Directory.Exists(dir), "a refused start leaves nothing on disk");
    }

    private static string BlockOf(Line cut) => cut.Text.Split(' ').Single(f => f.StartsWith("block=", StringComparison.Ordinal));

    private static Line Parse(string text)
    {
        var fields = text.Split(' ');
        string? Field(string key) => fields.FirstOrDefault(f => f.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];
        return new Line(decimal.Parse(fields[0], CultureInfo.InvariantCulture), fields[1], Field("txid"), Field("node"), text);
    }

    [GeneratedRegex(@"txid \[([0-9a-f]{64})\] sent to orderer")]
    private static partial Regex TxIdLine();

    private sealed record Line(decimal At, string Event, string? TxId, string? Node, string Text);
}
