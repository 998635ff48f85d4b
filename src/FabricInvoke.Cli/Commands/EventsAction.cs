using System.CommandLine;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Events;
using FabricInvoke.Core.Identity;
using E = FabricInvoke.Cli.Settings.EventsSettingsTable;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// <c>events chaincode</c> and <c>events blocks</c>, in the shape of every command: parse (bind and check every
/// setting), resolve the target (the checkpoint, locked, loaded and checked against this stream, and the output file:
/// all before any connection and before anything is printed), run (follow the channel and write one line per event or
/// block on stdout, or appended to <c>--output-file</c>, text or JSON Lines, recording each in the checkpoint once its
/// reader has it), write the outcome. A restarted job resumes right after the last line its reader got.
/// </summary>
internal sealed class EventsAction(EventsCommandDefinition definition, CliContext context)
    : CommandAction<EventsAction.Request, EventSink>(context)
{
    protected override ResultWriter CreateWriter(ParseResult parse) => new(E.Output.Value(parse, definition.Output), Context, jsonLines: true);

    protected override Request Parse(ParseResult parse, CommandRun run)
    {
        // Ctrl-C says where the stream got to (nothing yet, until a sink has recorded a line or read the checkpoint).
        run.Interrupted = () => Failures.EventsInterrupted(null);
        var settings = EventsSettingsBinder.Bind(definition, parse, Context.Environment, EventsCommandDefinition.Kind(parse));
        return new Request(settings, Context.CreateLog(), null, null, null);
    }

    /// <summary>
    /// Everything about the checkpoint and the output file that can be checked here is, before any connection and
    /// before anything is printed: a directory, a missing folder, the lock, the stream it belongs to.
    /// </summary>
    protected override Task<CommandTarget<Request>> ResolveAsync(Request request, CommandRun run, CancellationToken cancellationToken)
    {
        var settings = request.Settings;
        var held = settings.Checkpoint?.Lock();
        try
        {
            var stored = settings.Checkpoint?.Load();
            var binding = new EventStreamBinding(
                settings.Kind == EventStreamKind.Chaincode ? "events chaincode" : "events blocks",
                settings.Channel,
                settings.Chaincode,
                settings.EventNames.Order(StringComparer.Ordinal).ToList(),
                settings.Gateway ? "gateway" : "deliver",
                settings.OutputFile);
            CheckBinding(settings, stored, binding, request.Log);
            var file = settings.OutputFile is { } path ? EventOutputFile.Open(path, stored?.OutputLength) : null;
            return Task.FromResult(new CommandTarget<Request>(request with { Stored = stored, Binding = binding, File = file }, new Held(file, held)));
        }
        catch
        {
            held?.Dispose();
            throw;
        }
    }

    protected override async Task<EventSink> RunAsync(CommandTarget<Request> target, CommandRun run, CancellationToken cancellationToken)
    {
        var (settings, log, stored, binding, file) = target.Settings;
        var observer = new ProgressLogger(log, Context.Progress);
        var signer = MspFolder.Load(settings.MspConfigPath, settings.MspId);
        using var connections = ChaincodeCmdFactory.Create(settings.Connections, signer, observer, Context.Time);
        var follower = new EventFollower(connections, settings.Channel, settings.ReconnectTimeout, observer);
        using var timeout = settings.Timeout is { } t ? new CancellationTokenSource(t, Context.Time) : new CancellationTokenSource();
        using var readerGone = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, readerGone.Token);
        var pipe = file is null ? Context.StdoutPipe : null;
        if (pipe is not null)
        {
            // The reader of stdout may go while no event is coming: the stream stops then, not at the next event.
            _ = pipe.ReaderGoneAsync().ContinueWith(
                _ =>
                {
                    try
                    {
                        readerGone.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The command has ended already.
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        string? genesis = null;
        if (settings.Checkpoint is { } checkpointFile)
        {
            var chain = await follower.ChainInfoAsync(stop.Token).ConfigureAwait(false);
            genesis = chain.GenesisHash;
            CheckChain(checkpointFile, stored, chain, settings.Connections.Peers[0].Address.ToString());
        }

        file?.CutTornTail(log);
        var sink = new EventSink(Context.Output, settings, binding!, genesis, file, pipe);
        run.Interrupted = () => Failures.EventsInterrupted(sink.Last is { } last ? EventLines.Describe(last) : null);
        var json = settings.Output == OutputFormat.Json;
        try
        {
            if (settings.Kind == EventStreamKind.Chaincode)
            {
                await FollowEventsAsync(follower, settings, stored?.Position, sink, json, stop.Token).ConfigureAwait(false);
            }
            else
            {
                await FollowBlocksAsync(follower, settings, stored?.Position, sink, json, stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Cancelled(e) && readerGone.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            sink.Gone ??= "stdout's reader went away (broken pipe)";
        }
        catch (Exception e) when (Cancelled(e) && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            if (sink.Emitted == 0)
            {
                throw Failures.NoEvents(settings.Kind == EventStreamKind.Chaincode ? "event" : "block", settings.Timeout!.Value, string.Join(", ", settings.Connections.Peers.Select(p => p.Address)));
            }
        }

        return sink;
    }

    /// <summary>
    /// A stop this command asked for: a cancellation (Core's stream readers report a gRPC call that the stop ended as
    /// Cancelled as the cancellation it is).
    /// </summary>
    private static bool Cancelled(Exception e) => e is OperationCanceledException;

    protected override int Write(CommandTarget<Request> target, EventSink sink, CommandRun run)
    {
        if (sink.Gone is { } gone)
        {
            return OutputGone(gone, target.Settings.Settings.Checkpoint, sink);
        }

        Context.Progress.TryFinish();
        return ExitCodes.Success;
    }

    /// <summary>Results can no longer be delivered: one line saying why and what was recorded, exit 141.</summary>
    private int OutputGone(string why, CheckpointFile? checkpoint, EventSink sink)
    {
        if (!Context.Progress.TryFinish())
        {
            return ExitCodes.OutputGone;
        }

        var recorded = checkpoint is null ? "" : sink.Last is null ? $"; checkpoint {checkpoint.Path}: nothing recorded" : $"; checkpoint {checkpoint.Path} records {EventLines.Describe(sink.Last)}";
        Context.Error.WriteLine($"Error: {Failures.OneLine($"results can no longer be delivered: {why}; {sink.Emitted} delivered{recorded}")}");
        return ExitCodes.OutputGone;
    }

    /// <summary>The checkpoint must belong to this stream: same command, channel, chaincode, event names, path and output.</summary>
    private static void CheckBinding(EventsCommandSettings settings, CheckpointRecord? stored, EventStreamBinding binding, FabricLog log)
    {
        if (stored is null || settings.Checkpoint is not { } checkpoint)
        {
            return;
        }

        if (stored.Stream is null)
        {
            if (settings.OutputFile is not null)
            {
                throw Failures.Config(checkpoint.Path, "an old-format checkpoint (position only) cannot be used with --output-file: it does not record the file's length; use a new --checkpoint file");
            }

            // Written by an earlier release: accepted once, trusted to be this stream's, rewritten in the current format.
            log.Warning("events", $"checkpoint {checkpoint.Path} has the old format (position only: {EventLines.Describe(stored.Position)}); taken as this stream's and rewritten with the stream recorded at the next event");
            return;
        }

        var differences = stored.Stream.Differences(binding);
        if (differences.Count > 0)
        {
            throw Failures.Config(checkpoint.Path, $"the checkpoint belongs to another stream ({string.Join("; ", differences)}); use another --checkpoint file, or delete this one to start over");
        }
    }

    /// <summary>The checkpoint must belong to this chain (same genesis block) and not be beyond its height.</summary>
    private static void CheckChain(CheckpointFile checkpoint, CheckpointRecord? stored, ChainInfo chain, string peer)
    {
        if (stored is null)
        {
            return;
        }

        if (stored.Genesis is { } genesis && !string.Equals(genesis, chain.GenesisHash, StringComparison.Ordinal))
        {
            throw Failures.Config(checkpoint.Path, $"the checkpoint belongs to another chain (genesis block hash: checkpoint {genesis}, peer {peer} {chain.GenesisHash}); use another --checkpoint file, or delete this one to start over");
        }

        if (stored.Position.Block >= chain.Height)
        {
            throw Failures.Config(checkpoint.Path, $"the checkpoint is at block {stored.Position.Block} but peer {peer} has {chain.Height} blocks (0 to {chain.Height - 1}): a reset or different network, or a peer behind; use another --checkpoint file, or delete this one to start over");
        }
    }

    private async Task FollowEventsAsync(EventFollower follower, EventsCommandSettings settings, EventCheckpoint? after, EventSink sink, bool json, CancellationToken cancellationToken)
    {
        sink.Last = after;
        await foreach (var block in follower.ChaincodeEventsAsync(settings.Chaincode!, settings.EventNames, settings.Start, after, settings.Gateway, cancellationToken).ConfigureAwait(false))
        {
            if (settings.UntilBlock is { } until && block.Number > until)
            {
                break;
            }

            foreach (var e in block.Events)
            {
                if (!await sink.DeliverAsync(json ? EventLines.EventJson(e) : EventLines.EventText(e), new EventCheckpoint(e.Block, e.TxIndex, e.TxId), cancellationToken).ConfigureAwait(false)
                    || sink.Emitted == settings.Count)
                {
                    return;
                }
            }

            if (settings.UntilBlock is { } last && block.Number >= last)
            {
                break;
            }
        }
    }

    private async Task FollowBlocksAsync(EventFollower follower, EventsCommandSettings settings, EventCheckpoint? after, EventSink sink, bool json, CancellationToken cancellationToken)
    {
        sink.Last = after;
        await foreach (var block in follower.BlocksAsync(settings.Start, after?.Block, cancellationToken).ConfigureAwait(false))
        {
            if (settings.UntilBlock is { } until && block.Number > until)
            {
                break;
            }

            if (!await sink.DeliverAsync(json ? EventLines.BlockJson(block) : EventLines.BlockText(block), new EventCheckpoint(block.Number, null, null), cancellationToken).ConfigureAwait(false)
                || sink.Emitted == settings.Count || (settings.UntilBlock is { } last && block.Number >= last))
            {
                break;
            }
        }
    }

    /// <summary>One run's settings, its log, and once resolved: the checkpoint as stored, the stream it must belong to, the output file.</summary>
    internal sealed record Request(EventsCommandSettings Settings, FabricLog Log, CheckpointRecord? Stored, EventStreamBinding? Binding, EventOutputFile? File);

    /// <summary>The output file and the checkpoint's lock, released after the outcome is written (the file first).</summary>
    private sealed class Held(IDisposable? file, IDisposable? checkpointLock) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            try
            {
                file?.Dispose();
            }
            finally
            {
                checkpointLock?.Dispose();
            }

            return ValueTask.CompletedTask;
        }
    }
}
