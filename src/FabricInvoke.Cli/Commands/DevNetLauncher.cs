using System.Globalization;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.DevNet.Host.Protocol;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.Cli.Commands;

/// <summary>Defaults and bounds shared by <c>devnet up</c> and <c>--devnet</c> (the embedded network's own, checked here before it starts).</summary>
internal static class DevNetDefaults
{
    /// <summary>The folder <c>--devnet</c> and <c>devnet up</c> use when none is given.</summary>
    public static readonly string Directory = Settings.DevNetSettingsTable.Dir.Default!;

    /// <summary>How long a command queues for a DevNet folder another one-shot run (or a starting <c>devnet up</c>) holds.</summary>
    public static readonly TimeSpan LockWait = Settings.InvokeSettingsTable.DevNetWait.DefaultValue!.Value;

    /// <summary>The longest queueing bound the network accepts.</summary>
    public static readonly TimeSpan MaxLockWait = Settings.InvokeSettingsTable.DevNetWait.Max;

    /// <summary>The shortest orderer batch timeout the network accepts.</summary>
    public static readonly TimeSpan MinBatchTimeout = Settings.DevNetSettingsTable.BatchTimeout.Min;

    /// <summary>The longest orderer batch timeout the network accepts.</summary>
    public static readonly TimeSpan MaxBatchTimeout = Settings.DevNetSettingsTable.BatchTimeout.Max;

    /// <summary>Overrides <see cref="LockWait"/> (a Go duration, 0 to not wait at all, at most 1h).</summary>
    public static readonly string LockWaitVariable = Settings.InvokeSettingsTable.DevNetWait.Env!;

    /// <summary>How the folder's owner is named to other processes, for a one-shot run (README and tests quote it).</summary>
    public const string OneShotOwner = "fabinvoke chaincode invoke --devnet";

    /// <summary>How <c>devnet up</c> is named to other processes.</summary>
    public const string UpOwner = "fabinvoke devnet up";
}

/// <summary>What <c>devnet up</c> asks of the network (every value already checked).</summary>
internal sealed record DevNetUpRequest(
    string Directory, int Orgs, int PeersPerOrg, TimeSpan BatchTimeout, int BatchSize, int? Port, bool Durable, string? TimingsFile, TimeSpan LockWait);

/// <summary>
/// Starts or attaches to the embedded network for a command — in its own process, fabinvoke-devnet
/// (<see cref="DevNetProcess"/>) — turning start-up problems into one-line failures (exit 3, naming the lock file and its
/// owner's pid, the damaged ledger file and block, or the bad crypto file).
/// </summary>
internal static class DevNetLauncher
{
    /// <summary>
    /// For <c>chaincode invoke --devnet DIR</c>: attaches to the <c>devnet up</c> that owns DIR, or starts the network
    /// from DIR for this command, queueing behind another one-shot run for at most <see cref="DevNetDefaults.LockWait"/>.
    /// </summary>
    /// <exception cref="FabricInvokeException">Config (busy folder, damaged ledger, bad material, unwritable folder, no host program) or Usage (bad FABINVOKE_DEVNET_WAIT).</exception>
    public static async Task<DevNetProcess> OpenAsync(string directory, CliContext context, CancellationToken cancellationToken)
    {
        var log = context.CreateLog();
        string[] arguments = ["lease", "--dir", Path.GetFullPath(directory), "--wait-ms", Milliseconds(LockWait(context.Environment)), "--owner", DevNetDefaults.OneShotOwner];
        void Diagnostic(HostEvent d)
        {
            if (d.IsInformational)
            {
                log.Info("devnet", d.Message ?? "");
            }
            else
            {
                log.Warning("devnet", d.Message ?? "");
            }
        }

        var network = await StartAsync(directory, arguments, Diagnostic, context, cancellationToken).ConfigureAwait(false);
        if (network.Network.Attached)
        {
            log.Info("devnet", $"attached to the embedded network that process {network.Network.OwnerPid} (fabinvoke devnet up) runs from {directory}");
        }

        return network;
    }

    /// <summary>For <c>devnet up</c>: starts the network, which owns the folder for its life.</summary>
    /// <exception cref="FabricInvokeException">Config, as for <see cref="OpenAsync"/>.</exception>
    public static Task<DevNetProcess> StartAsync(DevNetUpRequest request, Action<HostEvent> diagnostic, CliContext context, CancellationToken cancellationToken)
    {
        var arguments = new List<string>
        {
            "up", "--dir", request.Directory,
            "--orgs", request.Orgs.ToString(CultureInfo.InvariantCulture),
            "--peers-per-org", request.PeersPerOrg.ToString(CultureInfo.InvariantCulture),
            "--batch-timeout-ms", Milliseconds(request.BatchTimeout),
            "--batch-size", request.BatchSize.ToString(CultureInfo.InvariantCulture),
            "--wait-ms", Milliseconds(request.LockWait),
            "--owner", DevNetDefaults.UpOwner,
        };
        if (request.Port is { } port)
        {
            arguments.AddRange(["--port", port.ToString(CultureInfo.InvariantCulture)]);
        }

        if (request.Durable)
        {
            arguments.Add("--durable");
        }

        if (request.TimingsFile is { } timings)
        {
            arguments.AddRange(["--timings", timings]);
        }

        return StartAsync(request.Directory, arguments, diagnostic, context, cancellationToken);
    }

    /// <summary>The queueing bound from FABINVOKE_DEVNET_WAIT, else the default.</summary>
    /// <exception cref="FabricInvokeException">Usage: not a Go duration from 0 to 1h.</exception>
    public static TimeSpan LockWait(IConfiguration environment)
    {
        var text = environment[DevNetDefaults.LockWaitVariable];
        if (string.IsNullOrWhiteSpace(text))
        {
            return DevNetDefaults.LockWait;
        }

        return GoDuration.TryParse(text, out var wait) && wait <= DevNetDefaults.MaxLockWait
            ? wait
            : throw Failures.Usage($"invalid duration '{text}' for {DevNetDefaults.LockWaitVariable}: use a Go duration from 0s to 1h, such as 30s or 2m");
    }

    private static string Milliseconds(TimeSpan t) => t.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture);

    private static async Task<DevNetProcess> StartAsync(string directory, IReadOnlyList<string> arguments, Action<HostEvent> diagnostic, CliContext context, CancellationToken cancellationToken)
    {
        var (network, failure) = await DevNetProcess.StartAsync(arguments, diagnostic, context.Environment["DOTNET_HOST_PATH"], cancellationToken).ConfigureAwait(false);
        return network ?? throw Map(directory, failure!, attaching: arguments[0] == "lease");
    }

    /// <summary>The one-line failure for the host's failure event.</summary>
    /// <param name="attaching">The command would use a running <c>devnet up</c>'s network (a one-shot run).</param>
    private static Exception Map(string directory, HostFailure f, bool attaching) => f.Type switch
    {
        HostFailure.Busy => Failures.Config(f.File ?? Path.Combine(directory, "devnet.lock"), Busy(directory, f, attaching)),
        HostFailure.Ledger => Failures.Config(f.File ?? directory,
            $"the DevNet ledger is damaged{Where(f)}: {f.Problem}; no ledger file was changed (move {Path.Combine(directory, "ledger")} away to start a new chain)"),
        HostFailure.Material => Failures.Config(f.File ?? directory,
            $"unusable DevNet crypto material ({f.Problem}); delete {Path.Combine(directory, "organizations")} and {Path.Combine(directory, "ledger")} to start afresh"),
        HostFailure.Io => Failures.Config(directory, $"cannot start the embedded network ({(f.Message ?? "").ReplaceLineEndings(" ")})"),
        HostFailure.Invalid => new ArgumentException(f.Message),
        _ => new DevNetHostException(f.ErrorType ?? "Exception", f.Message ?? ""),
    };

    /// <summary>" at block 3 (offset 1234)", " at offset 0" or "".</summary>
    private static string Where(HostFailure f) => (f.Block, f.Offset) switch
    {
        ({ } block, { } offset) => $" at block {block} (offset {offset})",
        ({ } block, null) => $" at block {block}",
        (null, { } offset) => $" at offset {offset}",
        _ => "",
    };

    /// <summary>
    /// Says what the owner is doing with the folder and what to do (D18: "stop it" was untrue of a network that is
    /// still starting, and of a one-shot run, which releases the folder by itself).
    /// </summary>
    private static string Busy(string directory, HostFailure f, bool attaching)
    {
        var owner = f.OwnerPid is { } pid ? $"process {pid} ({f.OwnerDescription})" : "another process (its devnet.owner record is missing)";
        var waited = TimeSpan.FromMilliseconds(f.WaitedMs ?? 0);
        var wait = DevNetDefaults.LockWaitVariable;
        if (waited > TimeSpan.Zero)
        {
            return $"gave up after {Failures.FormatDuration(waited)} waiting for the DevNet folder, which is owned by {owner}; set {wait} to wait longer";
        }

        if (f.OwnerDescription != DevNetDefaults.UpOwner)
        {
            // A one-shot run (or an unknown owner), and this command did not queue for it: FABINVOKE_DEVNET_WAIT=0.
            return $"the DevNet folder is in use by {owner}, which releases it when its command ends; {wait} is 0s, so this command did not wait: set {wait} (e.g. 60s) to queue for the folder, or use another folder";
        }

        var running = File.Exists(Path.Combine(directory, "devnet.json"));
        if (attaching)
        {
            // An attachable network that was not published yet: it is starting (or stopping).
            return $"{owner} is still starting (or stopping) the network in the DevNet folder; {wait} is 0s, so this command did not wait for it: wait for its 'Press Ctrl-C to stop.' and run again, set {wait} (e.g. 60s) to wait, or use another folder";
        }

        return running
            ? $"the DevNet folder is owned by {owner}, which runs a network there: use it (chaincode invoke --devnet {directory} attaches to it), stop it, or use another folder"
            : $"{owner} is starting a network in the DevNet folder: use it once it is up (chaincode invoke --devnet {directory} attaches to it), stop it, or use another folder";
    }
}

/// <summary>An unexpected error inside fabinvoke-devnet, reported as an internal error (exit 1) the way one in this process would be.</summary>
internal sealed class DevNetHostException : Exception
{
    public DevNetHostException(string errorType, string message)
        : base($"{errorType} in fabinvoke-devnet: {message}")
    {
    }

    public DevNetHostException()
    {
    }

    public DevNetHostException(string message)
        : base(message)
    {
    }

    public DevNetHostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
