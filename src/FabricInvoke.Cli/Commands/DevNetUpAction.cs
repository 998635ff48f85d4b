using System.CommandLine;
using System.Globalization;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.DevNet.Host.Protocol;
using D = FabricInvoke.Cli.Settings.DevNetSettingsTable;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// <c>fabinvoke devnet up</c>: run the embedded network in the foreground until Ctrl-C or SIGTERM. It owns its folder
/// for its whole life (a second <c>up</c> exits 3 naming this one's pid; <c>--devnet DIR</c> attaches to it), prints
/// each node problem (a ledger it cannot write, a torn record cut) on stderr as one line as it happens, and removes
/// devnet.env and devnet.json when it stops.
/// </summary>
internal sealed class DevNetUpAction(DevNetUpCommandDefinition definition, CliContext context)
    : CommandAction<DevNetUpRequest, bool>(context)
{
    /// <summary>devnet up writes text only (it has no --output).</summary>
    protected override ResultWriter CreateWriter(ParseResult parse) => new(OutputFormat.Text, Context);

    /// <summary>Every usage check comes before the network starts: a usage error leaves nothing on disk.</summary>
    /// <exception cref="FabricInvokeException">Usage: a flag (or FABINVOKE_DEVNET_WAIT) is out of range.</exception>
    protected override DevNetUpRequest Parse(ParseResult parse, CommandRun run)
    {
        var dirText = parse.GetValue(definition.Dir) ?? D.Dir.Default;
        if (string.IsNullOrWhiteSpace(dirText) || dirText.Contains('\0', StringComparison.Ordinal))
        {
            throw Failures.Usage("--dir needs a folder name");
        }

        var orgs = parse.GetValue(definition.Orgs);
        var peersPerOrg = parse.GetValue(definition.PeersPerOrg);
        var batchSize = parse.GetValue(definition.BatchSize);
        if (orgs is < 1 or > 16 || peersPerOrg is < 1 or > 8 || batchSize is < 1 or > 10_000)
        {
            throw Failures.Usage("--orgs must be 1..16, --peers-per-org 1..8 and --batch-size 1..10000");
        }

        var port = parse.GetValue(definition.Port);
        if (port is { } p && (p < 1 || p + (orgs * peersPerOrg) > 65535))
        {
            throw Failures.Usage($"--port {p} leaves no room for the orderer and {orgs * peersPerOrg} peer port(s) below 65536");
        }

        var batchText = parse.GetValue(definition.BatchTimeout) ?? D.BatchTimeout.Default!;
        if (!GoDuration.TryParse(batchText, out var batchTimeout) || batchTimeout < D.BatchTimeout.Min || batchTimeout > D.BatchTimeout.Max)
        {
            throw Failures.Usage($"invalid duration '{batchText}' for --batch-timeout: use a Go duration from 1ms to 1h, such as 100ms or 2s");
        }

        var timings = parse.GetValue(definition.Timings);
        if (timings is not null && (string.IsNullOrWhiteSpace(timings) || timings.Contains('\0', StringComparison.Ordinal)))
        {
            throw Failures.Usage("--timings needs a file name");
        }

        return new DevNetUpRequest(
            Directory: Path.GetFullPath(dirText),
            Orgs: orgs,
            PeersPerOrg: peersPerOrg,
            BatchTimeout: batchTimeout,
            BatchSize: batchSize,
            Port: port,
            Durable: parse.GetValue(definition.Durable),
            TimingsFile: timings is null ? null : TimingsFile(Path.GetFullPath(timings)),
            LockWait: DevNetLauncher.LockWait(Context.Environment));
    }

    /// <summary>The target is the network itself, started here and owned for the command's life.</summary>
    protected override async Task<CommandTarget<DevNetUpRequest>> ResolveAsync(DevNetUpRequest request, CommandRun run, CancellationToken cancellationToken)
    {
        // Stopped before its network is ready, devnet up has no transaction to speak of (D18: it used invoke's wording).
        Context.Progress.InterruptedMeans(() => new FabricInvokeException(FailureKind.Interrupted,
            $"devnet up interrupted before its network in {request.Directory} was ready; the network was stopped"));
        return new(request, await DevNetLauncher.StartAsync(request, Report, Context, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Prints where everything is, then runs until Ctrl-C or SIGTERM (or the network stopping by itself), and stops the network.</summary>
    protected override async Task<bool> RunAsync(CommandTarget<DevNetUpRequest> target, CommandRun run, CancellationToken cancellationToken)
    {
        var host = (DevNetProcess)target.Held!;
        bool stoppedItself;
        try
        {
            var network = host.Network;
            var o = Context.Output;
            await o.WriteLineAsync($"devnet up: channel {network.Channel}, orderer {network.Orderer.Address}, {network.Peers.Count} peer(s){(network.Durable ? ", durable (fsync per block)" : "")}").ConfigureAwait(false);
            foreach (var peer in network.Peers)
            {
                await o.WriteLineAsync($"  {peer.Name} ({peer.MspId}) at {peer.Address}").ConfigureAwait(false);
            }

            await o.WriteLineAsync($"crypto material: {network.OrganizationsDirectory}").ConfigureAwait(false);
            await o.WriteLineAsync($"environment:     source {network.EnvironmentFile}").ConfigureAwait(false);
            await o.WriteLineAsync($"profile:         {network.ConnectionProfileFile} (--connectionProfile)").ConfigureAwait(false);
            await o.WriteLineAsync($"summary:         {network.SummaryFile}").ConfigureAwait(false);
            await o.WriteLineAsync($"owner:           process {network.OwnerPid} (chaincode invoke --devnet {network.Directory} attaches to it)").ConfigureAwait(false);
            await o.WriteLineAsync("try:").ConfigureAwait(false);
            await o.WriteLineAsync($"  source {network.EnvironmentFile}").ConfigureAwait(false);
            await o.WriteLineAsync($"  fabinvoke chaincode invoke -C {network.Channel} -n basic -c '{{\"Args\":[\"Put\",\"hello\",\"world\"]}}' $FABINVOKE_PEERS -o $ORDERER_ADDRESS --tls --cafile $ORDERER_CA --waitForEvent").ConfigureAwait(false);
            await o.WriteLineAsync("Press Ctrl-C to stop.").ConfigureAwait(false);
            await o.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            // Ctrl-C (or SIGTERM) is how this command is meant to end; the network's process may also stop by itself
            // (a terminal's Ctrl-C reaches it too, or it was sent SIGTERM), or die.
            var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (cancellationToken.Register(() => cancelled.TrySetResult()).ConfigureAwait(false))
            {
                var ended = host.Ended;
                stoppedItself = await Task.WhenAny(cancelled.Task, ended).ConfigureAwait(false) == ended;
            }

            if (stoppedItself && !await host.Ended.ConfigureAwait(false))
            {
                throw host.EndedUnexpectedly();
            }

            // Its shutdown (cutting the last block, flushing ledgers) is the normal outcome, which the signal handler's
            // grace period must not cut short.
            Context.Progress.TryFinish();
        }
        finally
        {
            // The host removes devnet.json and devnet.env, then releases the folder, and exits.
            await host.DisposeAsync().ConfigureAwait(false);
        }

        return true;
    }

    protected override int Write(CommandTarget<DevNetUpRequest> target, bool stopped, CommandRun run)
    {
        Context.Output.WriteLine("devnet stopped");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The --timings file, checked as certificate files are, before anything starts: a folder, a FIFO, a socket or a
    /// terminal is refused (a FIFO with no reader would block the network's start for ever), as is a missing folder.
    /// </summary>
    /// <exception cref="FabricInvokeException">Config, naming the file.</exception>
    private static string TimingsFile(string file)
    {
        if (Directory.Exists(file))
        {
            throw Failures.Config(file, "--timings needs a file to append to, not a folder");
        }

        if (Path.GetDirectoryName(file) is { } folder && !Directory.Exists(folder))
        {
            throw Failures.Config(file, "--timings: the file's folder does not exist");
        }

        if (!File.Exists(file))
        {
            return file;
        }

        try
        {
            // Opened to read and write, which does not wait for a reader as opening a FIFO to write only does.
            using var probe = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.ReadWrite,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
            });
            if (!probe.CanSeek)
            {
                throw Failures.Config(file, "--timings needs a regular file, not a FIFO, socket or terminal");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Config(file, $"--timings: the file cannot be written ({e.Message.ReplaceLineEndings(" ")})", e);
        }

        return file;
    }

    /// <summary>One stderr line per node event, as it happens (from node threads).</summary>
    private void Report(HostEvent diagnostic)
    {
        var level = diagnostic.IsInformational ? "INFO" : "WARN";
        var now = Context.Time.GetUtcNow().UtcDateTime;
        Context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{now:yyyy-MM-dd HH:mm:ss.fff} UTC {level} [devnet] {diagnostic.Message}"));
        Context.Error.Flush();
    }
}
