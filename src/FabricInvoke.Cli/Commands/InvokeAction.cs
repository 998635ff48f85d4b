using System.CommandLine;
using System.Globalization;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Invocation;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// The behaviour of <c>chaincode invoke</c>, in the shape of every command: parse (bind and validate every setting,
/// before any network starts), resolve the target (the peers and orderers given, or the embedded network), run (load
/// the identity, compose the stages through <see cref="ChaincodeInvoker"/>), write the outcome.
/// </summary>
internal sealed class InvokeAction(InvokeCommandDefinition definition, CliContext context)
    : CommandAction<ChaincodeCall<InvokeCommandSettings>, InvokeResult>(context)
{

    protected override ResultWriter CreateWriter(ParseResult parse) => new(InvokeSettingsTable.Output.Value(parse, definition.Output), Context);

    protected override ChaincodeCall<InvokeCommandSettings> Parse(ParseResult parse, CommandRun run)
    {
        // Everything is validated first: a usage error must not start (or create) an embedded network.
        var settings = ChaincodeSettingsBinder.Bind(definition, parse, Context.Environment);
        var call = ChaincodeCall.Start(settings, settings.Notices, settings.Options.Invocation, Context);
        run.Partial = call.Trace.Snapshot;
        return call;
    }

    /// <summary>--devnet: the embedded network runs in its own process (fabinvoke-devnet) for as long as this command uses it.</summary>
    protected override Task<CommandTarget<ChaincodeCall<InvokeCommandSettings>>> ResolveAsync(ChaincodeCall<InvokeCommandSettings> call, CommandRun run, CancellationToken cancellationToken) =>
        ChaincodeCall.ResolveAsync(call, call.Settings.DevNetDirectory, (s, devnet) => s.On(devnet, Context.Environment), s => s.Notices, Context, cancellationToken);

    protected override async Task<InvokeResult> RunAsync(CommandTarget<ChaincodeCall<InvokeCommandSettings>> target, CommandRun run, CancellationToken cancellationToken)
    {
        var (settings, log, trace) = target.Settings;
        return await InvokeAsync(settings, log, trace, cancellationToken).ConfigureAwait(false);
    }

    protected override int Write(CommandTarget<ChaincodeCall<InvokeCommandSettings>> target, InvokeResult result, CommandRun run) =>
        Succeeded(run.Output, result, target.Settings.Log);

    private async Task<InvokeResult> InvokeAsync(InvokeCommandSettings settings, FabricLog log, InvokeTrace trace, CancellationToken cancellationToken)
    {
        using var live = StartLiveProgress(settings, log);
        var observer = new ProgressLogger(log, Context.Progress, live);
        var signer = MspFolder.Load(settings.MspConfigPath, settings.MspId);
        using var connections = ChaincodeCmdFactory.Create(settings.Connections, signer, observer, Context.Time);
        InvokeResult result;
        try
        {
            result = await new ChaincodeInvoker(observer).InvokeAsync(connections, settings.Options, trace, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Erased before anything else is written: the final lines start on a clean line.
            live?.Dispose();
            Context.Progress.ShowsStatusOn(null);
        }

        return result;
    }

    /// <summary>
    /// Writes the outcome, then (debug) the phase times, last of all so that the wall-clock moments it names bracket
    /// everything the command did: a benchmark can tell the runtime's start-up before them and the process exit after.
    /// </summary>
    private int Succeeded(ResultWriter output, InvokeResult result, FabricLog log)
    {
        var code = output.InvokeSucceeded(result, log);
        var t = result.Timings;
        var now = Context.Time.GetUtcNow();
        var began = now - Context.Time.GetElapsedTime(Context.StartedAt);
        var orderer = t.OrdererConnect == TimeSpan.Zero && t.OrdererTls == TimeSpan.Zero
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $" (orderer connect {t.OrdererConnect.TotalMilliseconds:0.0}ms, TLS {t.OrdererTls.TotalMilliseconds:0.0}ms, while endorsing)");
        log.Debug("chaincodeInvokeOrQuery",
            $"txid [{result.TxId}] phases: start-up {t.Startup.TotalMilliseconds:0.0}ms, endorse {t.Endorse.TotalMilliseconds:0.0}ms (deliver connect {t.DeliverConnect.TotalMilliseconds:0.0}ms alongside; ready to broadcast after {t.EndorseAndConnect.TotalMilliseconds:0.0}ms), broadcast {t.Broadcast.TotalMilliseconds:0.0}ms{orderer}, commit wait {t.Commit.TotalMilliseconds:0.0}ms, total {t.Total.TotalMilliseconds:0.0}ms; main began at {UnixSeconds(began)}, ended at {UnixSeconds(now)}");
        return code;
    }

    /// <summary>Seconds since the Unix epoch with microseconds (what a shell's $EPOCHREALTIME prints).</summary>
    private static string UnixSeconds(DateTimeOffset at)
    {
        var micros = (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return string.Create(CultureInfo.InvariantCulture, $"{micros / 1_000_000}.{micros % 1_000_000:D6}");
    }

    /// <summary>The live status line, when stderr is a terminal, CI is not set and --no-progress is not given; else null.</summary>
    private LiveProgress? StartLiveProgress(InvokeCommandSettings settings, FabricLog log)
    {
        if (!Context.LiveProgressAllowed || settings.NoProgress)
        {
            return null;
        }

        var c = settings.Connections;
        var commitPeers = settings.Options.Gateway ? 1 : (c.DeliverPeers ?? c.Peers).Count;
        var live = new LiveProgress(log, Context.Time, Context.StartedAt, Context.TerminalWidth, settings.Options.Gateway ? 1 : c.Peers.Count, commitPeers);
        Context.Progress.ShowsStatusOn(log);
        return live;
    }
}
