using System.CommandLine;
using System.Globalization;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Batch;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Identity;

namespace FabricInvoke.Cli.Commands;

/// <summary>What a batch did, for the write step: the exit code of the worst line, and the counts.</summary>
internal sealed record BatchSummary(long Lines, long Valid, long Failed, long Skipped, int ExitCode);

/// <summary>
/// <c>chaincode invoke --batch FILE</c>, in the shape of every command: parse (the invoke's settings and the batch's),
/// resolve the target (the input is read and checked in full first: a malformed line stops the command before any
/// network starts or anything is sent, unless --skip-invalid-lines), run (<see cref="BatchSubmitter"/> over one
/// <see cref="ChaincodeCmdFactory"/>, with a <see cref="BatchJournal"/> when --journal is given; the results written
/// as they come, a live line on a terminal, the summary last on stderr), write the exit code of the worst line.
/// </summary>
internal sealed class BatchInvokeAction(InvokeCommandDefinition definition, CliContext context)
    : CommandAction<ChaincodeCall<BatchCommandSettings>, BatchSummary>(context)
{
    private static readonly TimeSpan ProgressRefresh = TimeSpan.FromMilliseconds(250);
    private BatchInput? _input;

    protected override ResultWriter CreateWriter(ParseResult parse) =>
        new(InvokeSettingsTable.Output.Value(parse, definition.Output), Context, jsonLines: true);

    protected override ChaincodeCall<BatchCommandSettings> Parse(ParseResult parse, CommandRun run)
    {
        var settings = BatchSettingsBinder.Bind(definition, parse, Context.Environment);
        return ChaincodeCall.Start(settings, settings.Invoke.Notices, settings.Invoke.Options.Invocation, Context);
    }

    protected override async Task<CommandTarget<ChaincodeCall<BatchCommandSettings>>> ResolveAsync(
        ChaincodeCall<BatchCommandSettings> call, CommandRun run, CancellationToken cancellationToken)
    {
        var settings = call.Settings;
        var input = await BatchInput.OpenAsync(settings.Input, Context.Input, settings.Invoke.Options.Invocation, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!settings.SkipInvalidLines && input.MalformedError() is { } malformed)
            {
                throw malformed;
            }

            var target = await ChaincodeCall.ResolveAsync(
                call, settings.Invoke.DevNetDirectory, (s, devnet) => s with { Invoke = s.Invoke.On(devnet, Context.Environment) }, s => s.Invoke.Notices, Context, cancellationToken).ConfigureAwait(false);
            _input = input;
            return target with { Held = new Both(input, target.Held) };
        }
        catch
        {
            await input.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override async Task<BatchSummary> RunAsync(CommandTarget<ChaincodeCall<BatchCommandSettings>> target, CommandRun run, CancellationToken cancellationToken)
    {
        var (settings, log, _) = target.Settings;
        var input = _input!;
        var invoke = settings.Invoke;
        var signer = MspFolder.Load(invoke.MspConfigPath, invoke.MspId);
        using var connections = ChaincodeCmdFactory.Create(invoke.Connections, signer, new BatchObserver(log), Context.Time);
        await using var journal = settings.Journal is null
            ? null
            : await BatchJournal.OpenAsync(settings.Journal, input.Lines, input.Sha256, cancellationToken).ConfigureAwait(false);
        using var lines = BatchLines.Open(settings.OutputFile, Context.Output);
        var submitter = new BatchSubmitter(connections, settings.Options, journal);

        long count = 0, valid = 0, failed = 0, skipped = 0, committed = 0;
        var worst = ExitCodes.Success;
        var started = Context.Time.GetTimestamp();
        string Status()
        {
            var seconds = Math.Max(Context.Time.GetElapsedTime(started).TotalSeconds, 0.001);
            return string.Create(CultureInfo.InvariantCulture,
                $"batch: {Volatile.Read(ref count)}/{input.Transactions} done, {Volatile.Read(ref failed)} failed, {submitter.InFlight} in flight, {Volatile.Read(ref committed) / seconds:0.0} tx/s");
        }

        using var live = Context.LiveProgressAllowed && !invoke.NoProgress ? new StatusLine(log, Context.Time, Context.TerminalWidth, ProgressRefresh, Status) : null;
        if (live is not null)
        {
            Context.Progress.ShowsStatusOn(log);
        }

        BatchOutcome? worstLine = null;
        var completed = false;
        var heap = new BatchHeap();
        try
        {
            await foreach (var outcome in submitter.RunAsync(invoke.Options.Invocation.ChannelId, input.ReadAsync(CancellationToken.None), cancellationToken).ConfigureAwait(false))
            {
                lines.Write(outcome);
                heap.AfterLine();
                Interlocked.Increment(ref count);
                if (outcome.Skipped == "journal" && outcome.IsValid)
                {
                    Interlocked.Increment(ref skipped);
                }
                else if (outcome.IsValid)
                {
                    Interlocked.Increment(ref valid);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }

                if (outcome.Skipped is null && outcome.Block is not null)
                {
                    Interlocked.Increment(ref committed);
                }

                var code = BatchLines.ExitCodeOf(outcome);
                if (code > worst)
                {
                    worst = code;
                    worstLine = outcome;
                }
            }

            completed = true;
        }
        finally
        {
            live?.Dispose();
            Context.Progress.ShowsStatusOn(null);
            if (completed && (cancellationToken.IsCancellationRequested || worstLine is not null))
            {
                // The one Error: line of a batch that did not fully succeed, before the summary (the last line).
                var interrupted = cancellationToken.IsCancellationRequested;
                if (Context.Progress.TryFinish())
                {
                    Context.Error.WriteLine(interrupted
                        ? $"Error: interrupted: {count} of {input.Transactions} lines reported ({valid} valid), the rest not started{(settings.Journal is null ? string.Empty : "; run the same command again to go on from the journal")}"
                        : $"Error: {failed} of {count} lines failed; the worst, line {worstLine!.Line}: {ResultWriter.CliMessage(worstLine.Error!)}");
                }
            }

            if (completed || count > 0)
            {
                Context.Error.WriteLine(BatchLines.Summary(count, valid, failed, skipped, committed, Context.Time.GetElapsedTime(started)));
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            worst = ExitCodes.Interrupted;
        }

        return new BatchSummary(count, valid, failed, skipped, worst);
    }

    /// <summary>The exit code of the worst line (its Error: line was written with the summary).</summary>
    protected override int Write(CommandTarget<ChaincodeCall<BatchCommandSettings>> target, BatchSummary result, CommandRun run)
    {
        if (result.ExitCode == ExitCodes.Success && !Context.Progress.TryFinish())
        {
            return ExitCodes.Interrupted;
        }

        return result.ExitCode;
    }

    /// <summary>The batch's stage reports: only warnings (a key file others can read) and connection retries (debug) are logged.</summary>
    private sealed class BatchObserver(FabricLog log) : IProgressObserver
    {
        public void Warning(string message) => log.Warning("InitCmdFactory", message);

        public void Retrying(RetryNotice notice) =>
            log.Debug("ClientConnect", $"cannot reach {notice.Role} {notice.Address} yet ({notice.Problem}); retrying in {notice.Delay.TotalMilliseconds:0}ms");
    }

    /// <summary>Releases the input and what the target holds (the embedded network).</summary>
    private sealed class Both(IAsyncDisposable first, IAsyncDisposable? second) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await first.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                if (second is not null)
                {
                    await second.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }
}
