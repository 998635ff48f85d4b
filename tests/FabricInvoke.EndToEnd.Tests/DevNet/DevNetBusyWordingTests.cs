using FabricInvoke.DevNet.Storage;

namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>
/// Issue 22 D18: with <c>FABINVOKE_DEVNET_WAIT=0</c>, a DevNet folder that another process holds is refused (exit 3)
/// with words that are true of what that process is doing and say what to do — a <c>devnet up</c> still starting its
/// network is not to be "stopped", and a one-shot run releases the folder by itself. (The old line said "stop it or use
/// another folder" in every case.)
/// </summary>
public sealed class DevNetBusyWordingTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoWait = new() { ["FABINVOKE_DEVNET_WAIT"] = "0" };
    private readonly string _work = Directory.CreateTempSubdirectory("fabinvoke-busy-").FullName;

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

    private static string[] Invoke(string dir) =>
        ["chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", "--waitForEvent"];

    [Fact]
    public async Task A_devnet_up_still_starting_is_said_to_be_starting_with_what_to_do()
    {
        // What a starting devnet up looks like from outside: it holds the folder (attachable) and has published nothing yet.
        var dir = Path.Combine(_work, "starting");
        using var starting = DevNetFolderLock.TryAcquire(dir, "fabinvoke devnet up", attachable: true);
        Assert.NotNull(starting);
        var pid = Environment.ProcessId;

        var invoke = await CliRun.RunAsync(NoWait, Invoke(dir));
        var up = await CliRun.RunAsync(NoWait, ["devnet", "up", "--dir", dir]);

        Assert.True(invoke.ExitCode == 3, invoke.ToString());
        invoke.AssertWellBehaved();
        Assert.Contains($"process {pid} (fabinvoke devnet up) is still starting (or stopping) the network in the DevNet folder; FABINVOKE_DEVNET_WAIT is 0s, so this command did not wait for it: wait for its 'Press Ctrl-C to stop.' and run again, set FABINVOKE_DEVNET_WAIT (e.g. 60s) to wait, or use another folder", invoke.ErrorLines[0], StringComparison.Ordinal);
        Assert.True(up.ExitCode == 3, up.ToString());
        up.AssertWellBehaved();
        Assert.Contains($"process {pid} (fabinvoke devnet up) is starting a network in the DevNet folder: use it once it is up (chaincode invoke --devnet {dir} attaches to it), stop it, or use another folder", up.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_one_shot_run_holding_the_folder_is_said_to_release_it_when_it_ends()
    {
        var dir = Path.Combine(_work, "one-shot");
        using var oneShot = DevNetFolderLock.TryAcquire(dir, "fabinvoke chaincode invoke --devnet", attachable: false);
        Assert.NotNull(oneShot);

        var invoke = await CliRun.RunAsync(NoWait, Invoke(dir));

        Assert.True(invoke.ExitCode == 3, invoke.ToString());
        invoke.AssertWellBehaved();
        Assert.Contains($"the DevNet folder is in use by process {Environment.ProcessId} (fabinvoke chaincode invoke --devnet), which releases it when its command ends; FABINVOKE_DEVNET_WAIT is 0s, so this command did not wait: set FABINVOKE_DEVNET_WAIT (e.g. 60s) to queue for the folder, or use another folder", invoke.ErrorLines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("stop it", invoke.ErrorLines[0], StringComparison.Ordinal);
    }
}
