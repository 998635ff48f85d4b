using System.Diagnostics;
using System.Text.Json;
using FabricInvoke.Cli;
using FabricInvoke.DevNet.Storage;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>
/// The embedded network runs in a helper process, fabinvoke-devnet, shipped under devnet/ beside fabinvoke, so the
/// client carries no server code. What a user sees of that boundary: a fabinvoke killed with SIGKILL leaves no network
/// holding its folder, <c>devnet up</c> stops cleanly on SIGTERM, and a build without the helper fails in one line that
/// names it.
/// </summary>
public sealed class DevNetHostProcessTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoWait = new() { ["FABINVOKE_DEVNET_WAIT"] = "0" };
    private readonly string _work = Directory.CreateTempSubdirectory("fabinvoke-host-").FullName;

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
    public async Task A_devnet_up_killed_with_sigkill_leaves_no_network_holding_the_folder()
    {
        var dir = Path.Combine(_work, "up-killed");
        using var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir);
        await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);
        up.KillAlone();
        await FolderReleasedAsync(dir);

        // The network stopped as on Ctrl-C (unpublished, folder released), not merely died with its parent.
        Assert.False(File.Exists(Path.Combine(dir, "devnet.json")), "devnet.json left behind by the killed devnet up's network");
        Assert.False(File.Exists(Path.Combine(dir, "devnet.env")), "devnet.env left behind by the killed devnet up's network");
        var next = await PutAsync(dir, "after-up");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.DoesNotContain("waiting up to", next.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("attached to", next.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_one_shot_devnet_invoke_killed_with_sigkill_leaves_no_network_holding_the_folder()
    {
        var dir = Path.Combine(_work, "one-shot-killed");
        var env = new Dictionary<string, string?> { ["FABRIC_LOGGING_SPEC"] = "debug" };
        using var invoke = FabinvokeProcess.Start(_work, env,
            "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Sleep","1500"]}""", "--waitForEvent");
        await invoke.WaitForLineAsync("proposal created").WaitAsync(CliRun.Bound);
        var owner = DevNetFolderLock.ReadOwner(dir);
        Assert.NotNull(owner);
        Assert.Equal("fabinvoke chaincode invoke --devnet", owner.Description);
        Assert.NotEqual(invoke.Id, owner.ProcessId);

        invoke.KillAlone();
        await FolderReleasedAsync(dir);

        var next = await PutAsync(dir, "after-one-shot");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.DoesNotContain("waiting up to", next.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_to_devnet_up_stops_its_network_says_devnet_stopped_and_unpublishes_it()
    {
        var dir = Path.Combine(_work, "up-terminated");
        using var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir);
        await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);
        var network = DevNetFolders.OwnerPid(up.Stdout);
        Assert.True(File.Exists(Path.Combine(dir, "devnet.json")));

        up.Terminate();
        await up.WaitForExitAsync().WaitAsync(CliRun.Bound);

        Assert.Equal(0, up.ExitCode);
        Assert.Equal("devnet stopped", up.StdoutLines[^1]);
        Assert.Empty(up.Stderr);
        Assert.False(File.Exists(Path.Combine(dir, "devnet.json")), "devnet.json left behind");
        Assert.False(File.Exists(Path.Combine(dir, "devnet.env")), "devnet.env left behind");
        Assert.False(IsRunning(network), $"the network's process {network} outlived devnet up");
    }

    [Fact]
    public async Task A_helper_killed_under_devnet_up_ends_it_with_exit_3_naming_the_helper()
    {
        var dir = Path.Combine(_work, "helper-killed-up");
        using var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir);
        await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);
        var helper = DevNetFolders.OwnerPid(up.Stdout);

        Process.GetProcessById(helper).Kill();
        await up.WaitForExitAsync().WaitAsync(CliRun.Bound);

        Assert.Equal(3, up.ExitCode);
        var line = SingleErrorLine(up.Stderr);
        Assert.Contains("the embedded network stopped unexpectedly: fabinvoke-devnet exited", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_helper_killed_under_a_one_shot_invoke_ends_the_invoke_in_one_line_with_a_documented_code()
    {
        var dir = Path.Combine(_work, "helper-killed-invoke");
        var env = new Dictionary<string, string?> { ["FABRIC_LOGGING_SPEC"] = "debug", ["CORE_PEER_CLIENT_CONNTIMEOUT"] = "2s" };
        using var invoke = FabinvokeProcess.Start(_work, env,
            "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Sleep","3000"]}""", "--waitForEvent", "--requestTimeout", "10s");
        await invoke.WaitForLineAsync("proposal created").WaitAsync(CliRun.Bound);
        var helper = DevNetFolderLock.ReadOwner(dir)!.ProcessId;

        Process.GetProcessById(helper).Kill();
        await invoke.WaitForExitAsync().WaitAsync(CliRun.Bound);

        // The peers went away mid-endorsement: a connection (4) or endorsement (5) failure, said once, no stack trace.
        Assert.Contains(invoke.ExitCode, new[] { 4, 5 });
        var line = SingleErrorLine(invoke.Stderr);
        Assert.Contains("127.0.0.1:", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invoke")]
    [InlineData("up")]
    public async Task Without_its_helper_program_the_embedded_network_fails_in_one_line_naming_it(string command)
    {
        // This build's fabinvoke and what it loads, without the devnet/ folder beside it.
        var bin = Directory.CreateDirectory(Path.Combine(_work, "bin")).FullName;
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
        {
            File.Copy(file, Path.Combine(bin, Path.GetFileName(file)));
        }

        var dir = Path.Combine(_work, "never-started");
        string[] args = command == "up"
            ? ["devnet", "up", "--dir", dir]
            : ["chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", "--waitForEvent"];

        var run = await FabinvokeProcess.RunFromAsync(Path.Combine(bin, "fabinvoke.dll"), _work, null, args);

        Assert.True(run.ExitCode == 3, run.ToString());
        run.AssertWellBehaved();
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains("fabinvoke-devnet is missing", line, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine(bin, "devnet", "fabinvoke-devnet.dll"), line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir), "a folder was created although no network could start");
    }

    [Theory]
    [InlineData("invoke")]
    [InlineData("up")]
    public async Task A_helper_that_dies_before_its_network_is_ready_is_exit_3_with_its_exit_code(string command)
    {
        // As a helper killed ~0.2 s into a start: it ends before saying ready. The exit code used to be read after the
        // process object was disposed: exit 1, "No process is associated with this object".
        var bin = Directory.CreateDirectory(Path.Combine(_work, "bin-dying")).FullName;
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
        {
            File.Copy(file, Path.Combine(bin, Path.GetFileName(file)));
        }

        Directory.CreateDirectory(Path.Combine(bin, "devnet"));
        File.WriteAllText(Path.Combine(bin, "devnet", "fabinvoke-devnet.dll"), "not a program: dotnet refuses it and exits at once");
        var dir = Path.Combine(_work, "dying");
        string[] args = command == "up"
            ? ["devnet", "up", "--dir", dir]
            : ["chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", "--waitForEvent"];

        var run = await FabinvokeProcess.RunFromAsync(Path.Combine(bin, "fabinvoke.dll"), _work, null, args);

        Assert.True(run.ExitCode == 3, run.ToString());
        run.AssertWellBehaved();
        var line = Assert.Single(run.ErrorLines);
        Assert.Matches("cannot start the embedded network: fabinvoke-devnet exited with code [0-9]+ before its network was ready", line);
        Assert.DoesNotContain("No process is associated", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The property the split exists for: the client binary carries no server code and needs no ASP.NET Core runtime.</summary>
    [Fact]
    public void The_fabinvoke_client_references_neither_devnet_nor_asp_net_core()
    {
        var references = typeof(FabInvokeApp).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, n => n.StartsWith("FabricInvoke.DevNet", StringComparison.Ordinal));
        Assert.DoesNotContain(references, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || n.StartsWith("Grpc.AspNetCore", StringComparison.Ordinal));

        var bin = Path.GetDirectoryName(typeof(FabInvokeApp).Assembly.Location)!;
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(bin, "fabinvoke.runtimeconfig.json")));
        Assert.DoesNotContain("Microsoft.AspNetCore", runtimeConfig.RootElement.GetRawText(), StringComparison.Ordinal);
        var deps = File.ReadAllText(Path.Combine(bin, "fabinvoke.deps.json"));
        Assert.DoesNotContain("FabricInvoke.DevNet", deps, StringComparison.Ordinal);
        Assert.DoesNotContain("Grpc.AspNetCore", deps, StringComparison.Ordinal);

        // …and the helper is where fabinvoke looks for it.
        Assert.True(File.Exists(Path.Combine(bin, "devnet", "fabinvoke-devnet.dll")), $"no devnet/fabinvoke-devnet.dll in {bin}");
    }

    private Task<CliOutcome> PutAsync(string dir, string key) => FabinvokeProcess.RunAsync(_work, NoWait,
        "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", $$"""{"Args":["Put","{{key}}","v"]}""", "--waitForEvent");

    /// <summary>The one "Error:" line of <paramref name="stderr"/>, which holds no stack trace.</summary>
    private static string SingleErrorLine(string stderr)
    {
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        return Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("Error:", StringComparison.Ordinal));
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Completes once nothing holds the folder's lock (bounded), checking with backoff: the orphaned network's process is
    /// not this one's child, and where nobody reaps orphans it stays a zombie, so its exit cannot be awaited directly.
    /// </summary>
    private static async Task FolderReleasedAsync(string dir)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            try
            {
                // FileShare.None takes the same exclusive lock (flock) DevNet takes.
                using (new FileStream(Path.Combine(dir, "devnet.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    return;
                }
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < CliRun.Bound)
            {
                await Task.Delay(delay);
                delay = delay * 2 < TimeSpan.FromMilliseconds(200) ? delay * 2 : TimeSpan.FromMilliseconds(200);
            }
        }
    }
}
