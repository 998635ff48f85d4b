using System.Diagnostics;
using System.Globalization;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>
/// Issue 22 D8 (item 6): <c>devnet up</c>, stopped by SIGTERM — while its helper is still starting the network, or
/// while the network runs — and <c>devnet up --timings FIFO</c> (refused up front, as it used to hang) never leave
/// their helper, fabinvoke-devnet, running or holding the folder's lock: no helper process remains, and a second
/// <c>devnet up</c> on the same folder starts. Signals go to the real CLI process.
/// </summary>
public sealed class DevNetSigtermTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("fabinvoke-sigterm-").FullName;

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
    public async Task Sigterm_while_the_helper_starts_the_network_stops_the_helper_and_frees_the_folder()
    {
        var dir = Path.Combine(_work, "starting");
        int helper;
        using (var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir))
        {
            // The helper exists (a child of fabinvoke) but has not said ready: fabinvoke has printed nothing yet.
            helper = await FirstChildAsync(up.Id);
            Assert.DoesNotContain("Press Ctrl-C to stop.", up.Stdout, StringComparison.Ordinal);
            up.Terminate();
            await up.WaitForExitAsync().WaitAsync(CliRun.Bound);
            Assert.True(up.ExitCode is 0 or 130, $"exit {up.ExitCode}\n{up.Stderr}");
            Assert.DoesNotContain("   at ", up.Stderr, StringComparison.Ordinal);
            if (up.ExitCode == 130)
            {
                // D18: not invoke's "interrupted before the transaction was sent to the orderer".
                Assert.Equal($"Error: devnet up interrupted before its network in {dir} was ready; the network was stopped", up.Stderr.Trim());
            }
        }

        await GoneAsync(helper);
        await SecondUpStartsAsync(dir);
    }

    [Fact]
    public async Task Sigterm_while_the_network_runs_stops_the_helper_and_frees_the_folder()
    {
        var dir = Path.Combine(_work, "running");
        int helper;
        using (var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir))
        {
            await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);
            helper = DevNetFolders.OwnerPid(up.Stdout);
            up.Terminate();
            await up.WaitForExitAsync().WaitAsync(CliRun.Bound);
            Assert.Equal(0, up.ExitCode);
        }

        await GoneAsync(helper);
        await SecondUpStartsAsync(dir);
    }

    [Fact]
    public async Task Devnet_up_with_a_fifo_for_timings_is_refused_up_front_starts_no_helper_and_leaves_the_folder_usable()
    {
        var fifo = Path.Combine(_work, "timings.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync().WaitAsync(CliRun.Bound);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var dir = Path.Combine(_work, "fifo");
        using (var up = FabinvokeProcess.Start(_work, "devnet", "up", "--dir", dir, "--timings", fifo))
        {
            // It used to hang opening the FIFO with its helper running; SIGTERM then orphaned the helper.
            await up.WaitForExitAsync().WaitAsync(CliRun.Bound);
            Assert.Equal(3, up.ExitCode);
            Assert.Contains($"--timings needs a regular file, not a FIFO, socket or terminal: {fifo}", up.Stderr, StringComparison.Ordinal);
            Assert.Empty(Children(up.Id));
        }

        await SecondUpStartsAsync(dir);
    }

    /// <summary>A second <c>devnet up</c> on <paramref name="dir"/> (not waiting for a holder) starts its network; then it is stopped.</summary>
    private async Task SecondUpStartsAsync(string dir)
    {
        using var again = FabinvokeProcess.Start(_work, new Dictionary<string, string?> { ["FABINVOKE_DEVNET_WAIT"] = "0" }, "devnet", "up", "--dir", dir);
        var ready = again.WaitForLineAsync("Press Ctrl-C to stop.");
        var ended = again.WaitForExitAsync();
        await Task.WhenAny(ready, ended).WaitAsync(CliRun.Bound);
        Assert.True(ready.IsCompletedSuccessfully, $"the second devnet up did not start\n{again.Stdout}\n{again.Stderr}");
        var helper = DevNetFolders.OwnerPid(again.Stdout);
        again.Terminate();
        await ended.WaitAsync(CliRun.Bound);
        Assert.Equal(0, again.ExitCode);
        await GoneAsync(helper);
    }

    /// <summary>The first child process of <paramref name="parent"/>, waited for with backoff (bounded).</summary>
    private static async Task<int> FirstChildAsync(int parent)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            if (Children(parent).FirstOrDefault() is var child and > 0)
            {
                return child;
            }

            Assert.True(Stopwatch.GetElapsedTime(started) < CliRun.Bound, $"process {parent} started no helper");
            await Task.Delay(delay);
            delay = delay * 2 < TimeSpan.FromMilliseconds(100) ? delay * 2 : TimeSpan.FromMilliseconds(100);
        }
    }

    /// <summary>Completes once <paramref name="pid"/> has ended (gone or a zombie nobody reaped), bounded.</summary>
    private static async Task GoneAsync(int pid)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(10);
        while (IsAlive(pid))
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < CliRun.Bound, $"the helper {pid} outlived devnet up");
            await Task.Delay(delay);
            delay = delay * 2 < TimeSpan.FromMilliseconds(200) ? delay * 2 : TimeSpan.FromMilliseconds(200);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The processes whose parent is <paramref name="parent"/> (Linux /proc).</summary>
    private static List<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(entry, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent && fields[0] != "Z")
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // Ended meanwhile.
            }
        }

        return children;
    }
}
