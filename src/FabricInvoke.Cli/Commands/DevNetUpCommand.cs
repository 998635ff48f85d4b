using System.CommandLine;
using System.Globalization;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.DevNet.Host.Protocol;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// <c>fabinvoke devnet up</c>: run the embedded network in the foreground until Ctrl-C or SIGTERM. It owns its folder
/// for its whole life (a second <c>up</c> exits 3 naming this one's pid; <c>--devnet DIR</c> attaches to it), prints
/// each node problem (a ledger it cannot write, a torn record cut) on stderr as one line as it happens, and removes
/// devnet.env and devnet.json when it stops.
/// </summary>
internal sealed class DevNetUpCommand
{
    private readonly Option<string> _dir = new("--dir") { Description = "Folder for crypto material, ledger and devnet.env", HelpName = "DIR", DefaultValueFactory = _ => DevNetDefaults.Directory };
    private readonly Option<int> _orgs = new("--orgs") { Description = "Number of peer organisations", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _peersPerOrg = new("--peers-per-org") { Description = "Peers in each organisation", DefaultValueFactory = _ => 1 };
    private readonly Option<string> _batchTimeout = new("--batch-timeout") { Description = "Orderer batch timeout (1ms to 1h)", DefaultValueFactory = _ => "100ms" };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Orderer batch size (transactions per block)", DefaultValueFactory = _ => 10 };
    private readonly Option<int?> _port = new("--port") { Description = "Fixed ports: the orderer on PORT, peer i on PORT+1+i (default: free ports chosen by the system)" };
    private readonly Option<bool> _durable = new("--durable") { Description = "fsync every block before delivering it, so acknowledged blocks survive a machine crash (slower)" };
    private readonly Option<string?> _timings = new("--timings") { HelpName = "FILE", Description = "Append the network's own time per transaction to FILE (orderer received/answered, block cut, each peer's validation and deliver)" };
    private readonly CliContext _context;

    public DevNetUpCommand(CliContext context)
    {
        _context = context;
    }

    public Command Create()
    {
        var devnet = new Command("devnet", "The embedded local Fabric-compatible network (for trying fabinvoke and for tests; not a Fabric replacement).");
        var up = new Command("up", "Start the embedded network and keep it running until Ctrl-C.");
        Settings.PathCompletion.AddTo(_dir);
        foreach (var o in new Option[] { _dir, _orgs, _peersPerOrg, _batchTimeout, _batchSize, _port, _durable, _timings })
        {
            up.Add(o);
        }

        up.SetAction(RunAsync);
        devnet.Add(up);
        return devnet;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        // Every usage check comes before the network starts: a usage error leaves nothing on disk.
        var request = Request(parse);

        // Stopped before its network is ready, devnet up has no transaction to speak of (D18: it used invoke's wording).
        _context.Progress.InterruptedMeans(() => new FabricInvokeException(FailureKind.Interrupted,
            $"devnet up interrupted before its network in {request.Directory} was ready; the network was stopped"));
        var host = await DevNetLauncher.StartAsync(request, Report, _context, cancellationToken).ConfigureAwait(false);
        bool stoppedItself;
        try
        {
            var network = host.Network;
            var o = _context.Output;
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
            _context.Progress.TryFinish();
        }
        finally
        {
            // The host removes devnet.json and devnet.env, then releases the folder, and exits.
            await host.DisposeAsync().ConfigureAwait(false);
        }

        await _context.Output.WriteLineAsync("devnet stopped").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <exception cref="FabricInvokeException">Usage: a flag (or FABINVOKE_DEVNET_WAIT) is out of range.</exception>
    private DevNetUpRequest Request(ParseResult parse)
    {
        var dirText = parse.GetValue(_dir);
        if (string.IsNullOrWhiteSpace(dirText) || dirText.Contains('\0', StringComparison.Ordinal))
        {
            throw Failures.Usage("--dir needs a folder name");
        }

        var orgs = parse.GetValue(_orgs);
        var peersPerOrg = parse.GetValue(_peersPerOrg);
        var batchSize = parse.GetValue(_batchSize);
        if (orgs is < 1 or > 16 || peersPerOrg is < 1 or > 8 || batchSize is < 1 or > 10_000)
        {
            throw Failures.Usage("--orgs must be 1..16, --peers-per-org 1..8 and --batch-size 1..10000");
        }

        var port = parse.GetValue(_port);
        if (port is { } p && (p < 1 || p + (orgs * peersPerOrg) > 65535))
        {
            throw Failures.Usage($"--port {p} leaves no room for the orderer and {orgs * peersPerOrg} peer port(s) below 65536");
        }

        var batchText = parse.GetValue(_batchTimeout) ?? "100ms";
        if (!GoDuration.TryParse(batchText, out var batchTimeout) || batchTimeout < DevNetDefaults.MinBatchTimeout || batchTimeout > DevNetDefaults.MaxBatchTimeout)
        {
            throw Failures.Usage($"invalid duration '{batchText}' for --batch-timeout: use a Go duration from 1ms to 1h, such as 100ms or 2s");
        }

        var timings = parse.GetValue(_timings);
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
            Durable: parse.GetValue(_durable),
            TimingsFile: timings is null ? null : TimingsFile(Path.GetFullPath(timings)),
            LockWait: DevNetLauncher.LockWait(_context.Environment));
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
        var now = _context.Time.GetUtcNow().UtcDateTime;
        _context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{now:yyyy-MM-dd HH:mm:ss.fff} UTC {level} [devnet] {diagnostic.Message}"));
        _context.Error.Flush();
    }
}
