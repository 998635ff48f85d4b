using System.CommandLine;
using System.Globalization;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Invocation;
using FabricInvoke.Core.Ordering;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// The behaviour of <c>chaincode invoke</c>: bind and validate every setting (before any network starts), load the
/// identity, compose the stages through <see cref="ChaincodeInvoker"/>, and hand the outcome to the output layer.
/// </summary>
internal sealed class InvokeAction
{
    private readonly InvokeCommandDefinition _definition;
    private readonly CliContext _context;

    public InvokeAction(InvokeCommandDefinition definition, CliContext context)
    {
        _definition = definition;
        _context = context;
    }

    public async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var output = new ResultWriter(parse.GetValue(_definition.Output) == "json" ? OutputFormat.Json : OutputFormat.Text, _context);
        InvokeTrace? trace = null;
        try
        {
            // Everything is validated first: a usage error must not start (or create) an embedded network.
            var settings = ChaincodeSettingsBinder.Bind(_definition, parse, _context.Environment);
            var log = _context.CreateLog();
            foreach (var notice in settings.Notices)
            {
                log.Info("InitCmdFactory", notice);
            }

            trace = new InvokeTrace(settings.Options.Invocation, _context.Time, _context.StartedAt);
            if (settings.DevNetDirectory is not { } directory)
            {
                return Succeeded(output, await InvokeAsync(settings, log, trace, cancellationToken).ConfigureAwait(false), log);
            }

            return await InvokeOnDevNetAsync(directory, parse, output, log, trace, cancellationToken).ConfigureAwait(false);
        }
        catch (FabricInvokeException e)
        {
            return output.Failed(e, trace?.Snapshot());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return output.Interrupted();
        }
#pragma warning disable CA1031 // The last line of defence: a bug must still end in one line and a documented code, never a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return output.InternalError(e);
        }
    }

    /// <summary>--devnet: the embedded network runs in its own process (fabinvoke-devnet) for as long as this command uses it.</summary>
    private async Task<int> InvokeOnDevNetAsync(string directory, ParseResult parse, ResultWriter output, FabricLog log, InvokeTrace trace, CancellationToken cancellationToken)
    {
        await using var network = await DevNetLauncher.OpenAsync(directory, _context, cancellationToken).ConfigureAwait(false);
        var settings = ChaincodeSettingsBinder.Bind(_definition, parse, _context.Environment, new DevNetTarget(network.Network));
        foreach (var notice in settings.Notices)
        {
            log.Info("InitCmdFactory", notice);
        }

        return Succeeded(output, await InvokeAsync(settings, log, trace, cancellationToken).ConfigureAwait(false), log);
    }

    private async Task<InvokeResult> InvokeAsync(InvokeCommandSettings settings, FabricLog log, InvokeTrace trace, CancellationToken cancellationToken)
    {
        using var live = StartLiveProgress(settings, log);
        var observer = new LoggingObserver(log, _context.Progress, live);
        var signer = MspFolder.Load(settings.MspConfigPath, settings.MspId);
        using var connections = ChaincodeCmdFactory.Create(settings.Connections, signer, observer, _context.Time);
        InvokeResult result;
        try
        {
            result = await new ChaincodeInvoker(observer).InvokeAsync(connections, settings.Options, trace, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Erased before anything else is written: the final lines start on a clean line.
            live?.Dispose();
            _context.Progress.ShowsStatusOn(null);
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
        var now = _context.Time.GetUtcNow();
        var began = now - _context.Time.GetElapsedTime(_context.StartedAt);
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
        if (!_context.LiveProgressAllowed || settings.NoProgress)
        {
            return null;
        }

        var c = settings.Connections;
        var commitPeers = settings.Options.Gateway ? 1 : (c.DeliverPeers ?? c.Peers).Count;
        var live = new LiveProgress(log, _context.Time, _context.StartedAt, _context.TerminalWidth, settings.Options.Gateway ? 1 : c.Peers.Count, commitPeers);
        _context.Progress.ShowsStatusOn(log);
        return live;
    }

    /// <summary>Reports progress as it happens, in the Go CLI's phrases where it has one; also on the live status line, when there is one.</summary>
    internal sealed class LoggingObserver(FabricLog log, CommandProgress progress, LiveProgress? live = null) : IProgressObserver
    {
        public void Warning(string message) => log.Warning("InitCmdFactory", message);

        public void Retrying(RetryNotice notice) =>
            log.Debug("ClientConnect", $"cannot reach {notice.Role} {notice.Address} yet ({notice.Problem}); retrying in {notice.Delay.TotalMilliseconds:0}ms");

        public void Reconnecting(RetryNotice notice) =>
            log.Info("deliverEvents", $"the event stream broke ({notice.Problem}); re-opening it on peer {notice.Address} in {notice.Delay.TotalMilliseconds:0}ms");

        public void ProposalCreated(string txId)
        {
            progress.Proposed(txId);
            live?.Endorsing();
            log.Debug("chaincodeInvokeOrQuery", $"txid [{txId}] proposal created");
        }

        public void Endorsed(EndorsedTransaction transaction) =>
            log.Debug("chaincodeInvokeOrQuery",
                $"txid [{transaction.TxId}] endorsed by {string.Join(", ", transaction.Endorsements.Select(Describe))}; endorsements from {string.Join(", ", transaction.EndorserMspIds)}");

        private static string Describe(PeerEndorsement e) => e.Connect == TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{e.Address} ({e.Latency.TotalMilliseconds:0.0}ms)")
            : string.Create(CultureInfo.InvariantCulture,
                $"{e.Address} ({e.Latency.TotalMilliseconds:0.0}ms: connect {e.Connect.TotalMilliseconds:0.0}ms, TLS {e.Tls.TotalMilliseconds:0.0}ms, call {(e.Latency - e.Connect - e.Tls).TotalMilliseconds:0.0}ms)");

        public void DeliverConnected(string txId, int peers) =>
            log.Debug("ClientConnect", $"txid [{txId}] deliver connected on {peers} peer(s)");

        public void Submitting(string txId)
        {
            progress.Advance(SendState.MaybeSent);
            live?.Ordering(null);
        }

        public void Broadcasting(string txId, string ordererAddress)
        {
            live?.Ordering(ordererAddress);
            log.Debug("ChaincodeInvokeOrQuery", $"txid [{txId}] handed to orderer {ordererAddress}; waiting for its answer");
        }

        public void Submitted(SubmittedTransaction transaction)
        {
            progress.Advance(SendState.Sent);
            live?.WaitingForCommit();
            log.Info("ChaincodeInvokeOrQuery", transaction.ThroughGateway
                ? $"txid [{transaction.TxId}] sent to orderer through gateway {transaction.OrdererAddress}"
                : transaction.Quorum is { } quorum
                    ? $"txid [{transaction.TxId}] sent to orderer {transaction.OrdererAddress}: accepted by {string.Join(", ", transaction.AcceptedBy)} (BFT quorum {quorum})"
                    : $"txid [{transaction.TxId}] sent to orderer {transaction.OrdererAddress}");
        }

        public void SendingToAllOrderers(string txId, IReadOnlyList<string> orderers, int quorum) =>
            log.Info("ChaincodeInvokeOrQuery",
                $"txid [{txId}] the channel orders with BFT: sending to all {orderers.Count} orderers at once ({string.Join(", ", orderers)}), {quorum} must accept it");

        public void OrdererTried(string txId, OrdererAttempt attempt)
        {
            var took = string.Create(CultureInfo.InvariantCulture, $"{attempt.Latency.TotalMilliseconds:0.0}ms");
            log.Info("ChaincodeInvokeOrQuery", attempt.Outcome switch
            {
                OrdererOutcome.Accepted when attempt.Message.Length > 0 => $"txid [{txId}] orderer {attempt.Address} already has it ({attempt.Status} -- {attempt.Message}): counted as accepted ({took})",
                OrdererOutcome.Accepted => $"txid [{txId}] orderer {attempt.Address} accepted it ({took})",
                OrdererOutcome.Refused => $"txid [{txId}] orderer {attempt.Address} refused it: {attempt.Status} -- {attempt.Message} ({took})",
                OrdererOutcome.Unreachable => $"txid [{txId}] cannot reach orderer {attempt.Address}: {attempt.Message} ({took})",
                _ => $"txid [{txId}] orderer {attempt.Address}: {attempt.Message} ({took})",
            });
        }

        public void OrderersDiscovered(string channelId, string peer, IReadOnlyList<string> orderers) =>
            log.Info("InitCmdFactory", $"Retrieved channel ({channelId}) orderer endpoint: {string.Join(", ", orderers)} (from peer {peer})");

        public void Committed(string txId, PeerCommit commit)
        {
            live?.Committed();
            log.Info("ClientWait", $"txid [{txId}] committed with status ({commit.CodeName}) at {commit.Address}");
            log.Debug("ClientWait", $"txid [{txId}] in block {commit.BlockNumber} at {commit.Address}, {commit.Latency.TotalMilliseconds:0.0}ms after the orderer accepted it");
        }
    }
}
