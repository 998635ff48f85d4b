using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Events;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using Microsoft.Extensions.Configuration;
using static FabricInvoke.Cli.Settings.InvokeSettingsBinder;
using E = FabricInvoke.Cli.Settings.EventsSettingsTable;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// <c>events chaincode</c> and <c>events blocks</c>: follow a channel and write one line per event (or block) on stdout
/// (or appended to <c>--output-file</c>) — text, or JSON Lines — with a checkpoint bound to its stream that makes a
/// restarted job resume right after the last line its reader got.
/// </summary>
internal sealed class EventsCommands
{
    private readonly CliContext _context;
    private readonly Option<string> _channel = T.Channel.StringOption();
    private readonly Option<string> _name = T.Name.StringOption();
    private readonly Option<string[]> _event = E.Event.ListOption();
    private readonly Option<string> _start = E.Start.StringOption();
    private readonly Option<string> _checkpoint = E.Checkpoint.StringOption();
    private readonly Option<string> _outputFile = E.OutputFile.StringOption();
    private readonly Option<ulong?> _untilBlock = new(E.UntilBlock.Flags[0]) { Description = E.UntilBlock.HelpText };
    private readonly Option<long?> _count = new(E.Count.Flags[0]) { Description = E.Count.HelpText };
    private readonly Option<TimeSpan?> _timeout = E.Timeout.DurationOption(T.MinTimeout, T.MaxTimeout);
    private readonly Option<TimeSpan?> _reconnectTimeout = E.ReconnectTimeout.DurationOption(T.MinTimeout, E.MaxReconnectTimeout);
    private readonly Option<string[]> _peerAddresses = T.PeerAddresses.ListOption();
    private readonly Option<string[]> _tlsRootCertFiles = T.TlsRootCertFiles.ListOption();
    private readonly Option<string> _connectionProfile = T.ConnectionProfile.StringOption();
    private readonly Option<TimeSpan?> _connTimeout = T.ConnTimeout.DurationOption(T.MinTimeout, T.MaxConnectTimeout);
    private readonly Option<bool> _gateway = T.Gateway.FlagOption();
    private readonly Option<string> _output = OutputOption();

    public EventsCommands(CliContext context)
    {
        _context = context;
    }

    public Command Create()
    {
        var events = new Command("events", "Follow a channel: chaincode events of valid transactions, or block summaries, resumable from a checkpoint.");
        var chaincode = new Command("chaincode", "Stream a chaincode's events from full blocks (or a peer Gateway), one line each.");
        foreach (var o in new Option[] { _channel, _name, _event, _start, _checkpoint, _outputFile, _untilBlock, _count, _timeout, _reconnectTimeout, _peerAddresses, _tlsRootCertFiles, _connectionProfile, _connTimeout, _gateway, _output })
        {
            chaincode.Add(o);
        }

        chaincode.SetAction((parse, ct) => RunAsync(parse, chaincode: true, ct));
        var blocks = new Command("blocks", "Stream block summaries from DeliverFiltered: each transaction's id and validation code.");
        foreach (var o in new Option[] { _channel, _start, _checkpoint, _outputFile, _untilBlock, _count, _timeout, _reconnectTimeout, _peerAddresses, _tlsRootCertFiles, _connectionProfile, _connTimeout, _output })
        {
            blocks.Add(o);
        }

        blocks.SetAction((parse, ct) => RunAsync(parse, chaincode: false, ct));
        events.Add(chaincode);
        events.Add(blocks);
        return events;
    }

    private async Task<int> RunAsync(ParseResult parse, bool chaincode, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(_output) == "json";
        var output = new ResultWriter(json ? OutputFormat.Json : OutputFormat.Text, _context, jsonLines: true);
        try
        {
            var settings = Bind(parse, chaincode);
            var log = _context.CreateLog();

            // Everything about the checkpoint and the output file that can be checked here is, before any connection
            // and before anything is printed: a directory, a missing folder, the lock, the stream it belongs to.
            using var held = settings.Checkpoint?.Lock();
            var stored = settings.Checkpoint?.Load();
            var binding = new EventStreamBinding(
                chaincode ? "events chaincode" : "events blocks",
                settings.Channel,
                settings.Chaincode,
                settings.EventNames.Order(StringComparer.Ordinal).ToList(),
                settings.Gateway ? "gateway" : "deliver",
                settings.OutputFile);
            CheckBinding(settings, stored, binding, log);
            using var file = settings.OutputFile is { } path ? EventOutputFile.Open(path, stored?.OutputLength) : null;

            var observer = new InvokeAction.LoggingObserver(log, _context.Progress);
            var signer = MspFolder.Load(settings.MspConfigPath, settings.MspId);
            using var connections = ChaincodeCmdFactory.Create(settings.Connections, signer, observer, _context.Time);
            var follower = new EventFollower(connections, settings.Channel, settings.ReconnectTimeout, observer);
            using var timeout = settings.Timeout is { } t ? new CancellationTokenSource(t, _context.Time) : new CancellationTokenSource();
            using var readerGone = new CancellationTokenSource();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, readerGone.Token);
            var pipe = file is null ? _context.StdoutPipe : null;
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
            var sink = new Sink(this, settings, binding, genesis, file, pipe);
            try
            {
                if (chaincode)
                {
                    await FollowEventsAsync(follower, settings, stored?.Position, sink, json, stop.Token).ConfigureAwait(false);
                }
                else
                {
                    await FollowBlocksAsync(follower, settings, stored?.Position, sink, json, stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (readerGone.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                sink.Gone ??= "stdout's reader went away (broken pipe)";
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                if (_emitted == 0)
                {
                    throw Failures.NoEvents(chaincode ? "event" : "block", settings.Timeout!.Value, string.Join(", ", settings.Connections.Peers.Select(p => p.Address)));
                }
            }

            if (sink.Gone is { } gone)
            {
                return OutputGone(gone, settings.Checkpoint);
            }

            _context.Progress.TryFinish();
            return ExitCodes.Success;
        }
        catch (FabricInvokeException e)
        {
            return output.Failed(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return output.Failed(Failures.EventsInterrupted(_last is null ? null : Describe(_last)));
        }
#pragma warning disable CA1031 // The last line of defence: a bug must still end in one line and a documented code, never a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return output.InternalError(e);
        }
    }

    /// <summary>Results can no longer be delivered: one line saying why and what was recorded, exit 141.</summary>
    private int OutputGone(string why, CheckpointFile? checkpoint)
    {
        if (!_context.Progress.TryFinish())
        {
            return ExitCodes.OutputGone;
        }

        var recorded = checkpoint is null ? "" : _last is null ? $"; checkpoint {checkpoint.Path}: nothing recorded" : $"; checkpoint {checkpoint.Path} records {Describe(_last)}";
        _context.Error.WriteLine($"Error: {Failures.OneLine($"results can no longer be delivered: {why}; {_emitted} delivered{recorded}")}");
        return ExitCodes.OutputGone;
    }

    /// <summary>The checkpoint must belong to this stream: same command, channel, chaincode, event names, path and output.</summary>
    private static void CheckBinding(EventsSettings settings, CheckpointRecord? stored, EventStreamBinding binding, FabricLog log)
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
            log.Warning("events", $"checkpoint {checkpoint.Path} has the old format (position only: {Describe(stored.Position)}); taken as this stream's and rewritten with the stream recorded at the next event");
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

    private long _emitted;
    private EventCheckpoint? _last;

    private async Task FollowEventsAsync(EventFollower follower, EventsSettings settings, EventCheckpoint? after, Sink sink, bool json, CancellationToken cancellationToken)
    {
        _last = after;
        await foreach (var block in follower.ChaincodeEventsAsync(settings.Chaincode!, settings.EventNames, settings.Start, after, settings.Gateway, cancellationToken).ConfigureAwait(false))
        {
            if (settings.UntilBlock is { } until && block.Number > until)
            {
                break;
            }

            foreach (var e in block.Events)
            {
                if (!await sink.DeliverAsync(json ? EventJson(e) : EventText(e), new EventCheckpoint(e.Block, e.TxIndex, e.TxId), cancellationToken).ConfigureAwait(false)
                    || _emitted == settings.Count)
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

    private async Task FollowBlocksAsync(EventFollower follower, EventsSettings settings, EventCheckpoint? after, Sink sink, bool json, CancellationToken cancellationToken)
    {
        _last = after;
        await foreach (var block in follower.BlocksAsync(settings.Start, after?.Block, cancellationToken).ConfigureAwait(false))
        {
            if (settings.UntilBlock is { } until && block.Number > until)
            {
                break;
            }

            if (!await sink.DeliverAsync(json ? BlockJson(block) : BlockText(block), new EventCheckpoint(block.Number, null, null), cancellationToken).ConfigureAwait(false)
                || _emitted == settings.Count || (settings.UntilBlock is { } last && block.Number >= last))
            {
                break;
            }
        }
    }

    /// <summary>
    /// Where the lines go, and the rule that makes a checkpoint true: it records a line only once the line has reached
    /// its reader — on stdout, written (and, on a Linux pipe, taken out of the pipe by the reader); in an output file,
    /// written and flushed to disk, the checkpoint then recording the file's length with the position.
    /// </summary>
    private sealed class Sink(EventsCommands command, EventsSettings settings, EventStreamBinding binding, string? genesis, EventOutputFile? file, StdoutPipe? pipe)
    {
        /// <summary>Why results can no longer be delivered, once they cannot.</summary>
        public string? Gone { get; set; }

        /// <summary>Delivers one line and records it; false when it could not be delivered (nothing recorded): the stream ends.</summary>
        public async Task<bool> DeliverAsync(string line, EventCheckpoint position, CancellationToken cancellationToken)
        {
            long? length = null;
            if (file is not null)
            {
                if (file.TryAppend(line) is { } problem)
                {
                    Gone = problem;
                    return false;
                }

                length = file.Length;
            }
            else
            {
                var output = command._context.Output;
                output.WriteLine(line);
                output.Flush();
                if (output is ResilientWriter { IsBroken: true })
                {
                    Gone = pipe?.ReaderGone() == true ? "stdout's reader went away (broken pipe)" : "stdout cannot be written (closed or full)";
                    return false;
                }

                if (pipe is not null && !await pipe.WaitUntilReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    Gone = "stdout's reader went away (broken pipe) before reading the last line";
                    return false;
                }
            }

            // Only what reached its reader is recorded: a restart resumes right after it.
            command._last = position;
            settings.Checkpoint?.Save(new CheckpointRecord(position, binding, genesis, length));
            command._emitted++;
            return true;
        }
    }

    private static string Describe(EventCheckpoint c) =>
        c.TxId is null ? $"block {c.Block}" : $"block {c.Block}, txid {c.TxId}";

    internal static string EventText(FollowedEvent e)
    {
        var tx = e.TxIndex is { } i ? i.ToString(CultureInfo.InvariantCulture) : "-";
        var payload = PrintableText(e.Payload) is { } text ? $"payload={text}" : $"payload64={Convert.ToBase64String(e.Payload)}";
        return $"block={e.Block} tx={tx} txid={e.TxId} chaincode={e.ChaincodeId} event={e.EventName} {payload}";
    }

    internal static string EventJson(FollowedEvent e) => System.Text.Json.JsonSerializer.Serialize(
        new EventLine(e.Block, e.TxIndex, e.TxId, e.ChaincodeId, e.EventName, Utf8(e.Payload), Convert.ToBase64String(e.Payload)),
        EventsJsonContext.Readable.EventLine);

    internal static string BlockText(DeliveredBlock b) =>
        $"block={b.Number} txs={b.Transactions.Count}" + string.Concat(b.Transactions.Select(t => $" {(t.TxId.Length == 0 ? "-" : t.TxId)}:{t.ValidationCodeName}"));

    internal static string BlockJson(DeliveredBlock b) => System.Text.Json.JsonSerializer.Serialize(
        new BlockLine(b.Number, b.Transactions.Select(t => new BlockTransactionLine(t.Index, t.TxId, t.Type.ToString(), t.ValidationCodeName)).ToList()),
        EventsJsonContext.Readable.BlockLine);

    /// <summary>The payload as text when it is valid UTF-8 with nothing a terminal would interpret; else null.</summary>
    private static string? PrintableText(byte[] payload)
    {
        var text = Utf8(payload);
        return text is not null && !text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029') ? text : null;
    }

    private static string? Utf8(byte[] payload)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private const string MutualTls = "mutual TLS with peers (CORE_PEER_TLS_CLIENTAUTHREQUIRED=true)";

    private EventsSettings Bind(ParseResult parse, bool chaincode)
    {
        var env = _context.Environment;
        var channel = Required(parse.GetValue(_channel), T.Channel);
        var name = chaincode ? Required(parse.GetValue(_name), T.Name) : null;
        var startText = parse.GetValue(_start) ?? E.Start.Default!;
        var start = startText.ToUpperInvariant() switch
        {
            "NEWEST" => SeekFrom.Newest,
            "OLDEST" => SeekFrom.Oldest,
            _ when ulong.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => SeekFrom.Block(n),
            _ => throw Failures.Usage($"invalid --start '{startText}': use newest, oldest or a block number"),
        };
        var count = parse.GetValue(_count);
        if (count is < 1)
        {
            throw Failures.Usage("--count must be at least 1");
        }

        var gateway = chaincode && parse.GetValue(_gateway);
        var mspIdEnv = Env(env, T.MspId);
        var profile = ProfileBinding.Load(parse.GetValue(_connectionProfile), env, channel, mspIdEnv);
        var peers = InvokeSettingsBinder.BindPeers(parse.GetValue(_peerAddresses) ?? [], parse.GetValue(_tlsRootCertFiles) ?? [], env,
            Bool(env, T.TlsEnabled), Env(env, T.ServerHostOverride), profile, ProfileRole.Events, out _);
        var clientAuth = Bool(env, T.ClientAuthRequired);
        ClientCertificateFiles? clientCert = clientAuth
            ? new ClientCertificateFiles(FullPath(RequiredEnv(env, T.ClientCertFile, MutualTls)), FullPath(RequiredEnv(env, T.ClientKeyFile, MutualTls)))
            : null;
        var connTimeout = parse.GetValue(_connTimeout) ?? InvokeSettingsBinder.EnvDuration(env, T.ConnTimeout, T.MaxConnectTimeout) ?? TimeSpan.FromSeconds(3);
        _ = FabricLog.ParseSpec(env[T.LoggingSpec.Env!]);
        var checkpoint = parse.GetValue(_checkpoint) is { Length: > 0 } file ? new CheckpointFile(file) : null;
        var outputFile = parse.GetValue(_outputFile) is { Length: > 0 } o ? Path.GetFullPath(o) : null;
        if (outputFile is not null && checkpoint is null)
        {
            throw Failures.Usage("--output-file needs --checkpoint (the checkpoint records the file's length, which makes a restart exactly once)");
        }

        if (outputFile is not null && string.Equals(outputFile, checkpoint!.Path, StringComparison.Ordinal))
        {
            throw Failures.Usage("--output-file and --checkpoint must be different files");
        }
        return new EventsSettings(
            new ConnectionSettings { Peers = peers, PeerTransport = new TransportSettings(connTimeout, clientCert), BindTlsCertHash = clientAuth },
            mspIdEnv ?? profile?.Profile.ClientMspId ?? RequiredEnv(env, T.MspId, "the MSP id of the signing identity"),
            FullPath(RequiredEnv(env, T.MspConfigPath, "the MSP folder of the signing identity")),
            channel,
            name,
            (parse.GetValue(_event) ?? []).ToHashSet(StringComparer.Ordinal),
            start,
            checkpoint,
            outputFile,
            parse.GetValue(_untilBlock),
            count,
            parse.GetValue(_timeout),
            parse.GetValue(_reconnectTimeout) ?? TimeSpan.FromMinutes(5),
            gateway);
    }

    private static Option<string> OutputOption()
    {
        var option = new Option<string>("--output") { Description = "`text` (one line per event) or `json` (JSON Lines: one object per line) [default: text]" };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }

    private sealed record EventsSettings(
        ConnectionSettings Connections,
        string MspId,
        string MspConfigPath,
        string Channel,
        string? Chaincode,
        IReadOnlyCollection<string> EventNames,
        SeekFrom Start,
        CheckpointFile? Checkpoint,
        string? OutputFile,
        ulong? UntilBlock,
        long? Count,
        TimeSpan? Timeout,
        TimeSpan ReconnectTimeout,
        bool Gateway);
}

/// <summary>One line of <c>events chaincode --output json</c> (JSON Lines). Field names are a public contract.</summary>
internal sealed record EventLine(
    [property: JsonPropertyName("block")] ulong Block,
    [property: JsonPropertyName("txIndex")] int? TxIndex,
    [property: JsonPropertyName("txid")] string TxId,
    [property: JsonPropertyName("chaincode")] string Chaincode,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("payload")] string? Payload,
    [property: JsonPropertyName("payloadBase64")] string PayloadBase64);

/// <summary>One line of <c>events blocks --output json</c>.</summary>
internal sealed record BlockLine(
    [property: JsonPropertyName("block")] ulong Block,
    [property: JsonPropertyName("transactions")] IReadOnlyList<BlockTransactionLine> Transactions);

internal sealed record BlockTransactionLine(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("txid")] string TxId,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("validationCode")] string ValidationCode);

[JsonSerializable(typeof(EventLine))]
[JsonSerializable(typeof(BlockLine))]
internal sealed partial class EventsJsonContext : JsonSerializerContext
{
    public static EventsJsonContext Readable { get; } = new(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
