using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.DevNet;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.Cli.Commands;

/// <summary>Defaults shared by <c>devnet up</c> and <c>--devnet</c>.</summary>
internal static class DevNetDefaults
{
    public const string Directory = ".fabinvoke/devnet";

    /// <summary>How long a command queues for a DevNet folder another one-shot run (or a starting <c>devnet up</c>) holds.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(60);

    /// <summary>Overrides <see cref="LockWait"/> (a Go duration, 0 to not wait at all, at most 1h).</summary>
    public static readonly string LockWaitVariable = Settings.InvokeSettingsTable.DevNetWait.Env!;
}

/// <summary>
/// Starts or attaches to the embedded network for a command, turning start-up problems into one-line failures
/// (exit 3, naming the lock file and its owner's pid, the damaged ledger file and block, or the bad crypto file).
/// </summary>
internal static class DevNetLauncher
{
    /// <summary>
    /// For <c>chaincode invoke --devnet DIR</c>: attaches to the <c>devnet up</c> that owns DIR, or starts the network
    /// from DIR for this command, queueing behind another one-shot run for at most <see cref="DevNetDefaults.LockWait"/>.
    /// </summary>
    /// <exception cref="FabricInvokeException">Config (busy folder, damaged ledger, bad material, unwritable folder) or Usage (bad FABINVOKE_DEVNET_WAIT).</exception>
    public static async Task<DevNetLease> OpenAsync(string directory, CliContext context, CancellationToken cancellationToken)
    {
        var log = context.CreateLog();
        var options = new DevNetOptions
        {
            Directory = directory,
            LockWait = LockWait(context.Environment),
            OwnerDescription = "fabinvoke chaincode invoke --devnet",
            Diagnostics = d =>
            {
                if (d.Kind is DevNetDiagnosticKind.WaitingForOwner or DevNetDiagnosticKind.LedgerWriteRecovered)
                {
                    log.Info("devnet", d.Message);
                }
                else
                {
                    log.Warning("devnet", d.Message);
                }
            },
        };
        var lease = await MapFailuresAsync(directory, () => DevNetLease.OpenAsync(options, cancellationToken)).ConfigureAwait(false);
        if (lease.IsAttached)
        {
            log.Info("devnet", $"attached to the embedded network that process {lease.OwnerProcessId} (fabinvoke devnet up) runs from {directory}");
        }

        return lease;
    }

    /// <summary>For <c>devnet up</c>: starts the network and owns the folder for the network's life.</summary>
    /// <exception cref="FabricInvokeException">Config, as for <see cref="OpenAsync"/>.</exception>
    public static Task<DevNetwork> StartAsync(DevNetOptions options, CancellationToken cancellationToken) =>
        MapFailuresAsync(options.Directory, () => DevNetwork.StartAsync(options, cancellationToken));

    /// <summary>The queueing bound from FABINVOKE_DEVNET_WAIT, else the default.</summary>
    /// <exception cref="FabricInvokeException">Usage: not a Go duration from 0 to 1h.</exception>
    public static TimeSpan LockWait(IConfiguration environment)
    {
        var text = environment[DevNetDefaults.LockWaitVariable];
        if (string.IsNullOrWhiteSpace(text))
        {
            return DevNetDefaults.LockWait;
        }

        return GoDuration.TryParse(text, out var wait) && wait <= DevNetOptions.MaxLockWait
            ? wait
            : throw Failures.Usage($"invalid duration '{text}' for {DevNetDefaults.LockWaitVariable}: use a Go duration from 0s to 1h, such as 30s or 2m");
    }

    private static async Task<T> MapFailuresAsync<T>(string directory, Func<Task<T>> start)
    {
        try
        {
            return await start().ConfigureAwait(false);
        }
        catch (DevNetBusyException e)
        {
            throw Failures.Config(e.LockFile, Busy(e), e);
        }
        catch (DevNetLedgerException e)
        {
            var where = e.BlockNumber is { } n ? $" at block {n}" : "";
            throw Failures.Config(e.File,
                $"the DevNet ledger is damaged{where}: {e.Problem}; nothing was changed (move {Path.Combine(directory, "ledger")} away to start a new chain)", e);
        }
        catch (DevNetMaterialException e)
        {
            throw Failures.Config(e.File,
                $"unusable DevNet crypto material ({e.Problem}); delete {Path.Combine(directory, "organizations")} and {Path.Combine(directory, "ledger")} to start afresh", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw Failures.Config(directory, $"cannot start the embedded network ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    private static string Busy(DevNetBusyException e)
    {
        var owner = e.Owner is { } o ? $"process {o.ProcessId} ({o.Description})" : "another process (its devnet.owner record is missing)";
        return e.Waited > TimeSpan.Zero
            ? $"gave up after {Failures.FormatDuration(e.Waited)} waiting for the DevNet folder, which is owned by {owner}; set {DevNetDefaults.LockWaitVariable} to wait longer"
            : $"the DevNet folder is owned by {owner}; stop it or use another folder";
    }
}
