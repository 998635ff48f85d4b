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
/// — text, or JSON Lines — with a checkpoint that makes a restarted job resume exactly after the last line it wrote.
/// </summary>
internal sealed class EventsCommands
{
    private readonly CliContext _context;
    private readonly Option<string> _channel = T.Channel.StringOption();
    private readonly Option<string> _name = T.Name.StringOption();
    private readonly Option<string[]> _event = E.Event.ListOption();
    private readonly Option<string> _start = E.Start.StringOption();
    private readonly Option<string> _checkpoint = E.Checkpoint.StringOption();
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
        foreach (var o in new Option[] { _channel, _name, _event, _start, _checkpoint, _untilBlock, _count, _timeout, _reconnectTimeout, _peerAddresses, _tlsRootCertFiles, _connectionProfile, _connTimeout, _gateway, _output })
        {
            chaincode.Add(o);
        }

        chaincode.SetAction((parse, ct) => RunAsync(parse, chaincode: true, ct));
        var blocks = new Command("blocks", "Stream block summaries from DeliverFiltered: each transaction's id and validation code.");
        foreach (var o in new Option[] { _channel, _start, _checkpoint, _untilBlock, _count, _timeout, _reconnectTimeout, _peerAddresses, _tlsRootCertFiles, _connectionProfile, _connTimeout, _output })
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
            var observer = new InvokeAction.LoggingObserver(log, _context.Progress);
            var signer = MspFolder.Load(settings.MspConfigPath, settings.MspId);
            using var connections = ChaincodeCmdFactory.Create(settings.Connections, signer, observer, _context.Time);
            var follower = new EventFollower(connections, settings.Channel, settings.ReconnectTimeout, observer);
            using var timeout = settings.Timeout is { } t ? new CancellationTokenSource(t, _context.Time) : new CancellationTokenSource();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var emitted = 0L;
            try
            {
                emitted = chaincode
                    ? await FollowEventsAsync(follower, settings, json, stop.Token).ConfigureAwait(false)
                    : await FollowBlocksAsync(follower, settings, json, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                emitted = _emitted;
                if (emitted == 0)
                {
                    throw Failures.NoEvents(chaincode ? "event" : "block", settings.Timeout!.Value, string.Join(", ", settings.Connections.Peers.Select(p => p.Address)));
                }
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

    private long _emitted;
    private EventCheckpoint? _last;

    private async Task<long> FollowEventsAsync(EventFollower follower, EventsSettings settings, bool json, CancellationToken cancellationToken)
    {
        var after = settings.Checkpoint?.Load();
        _last = after;
        await foreach (var block in follower.ChaincodeEventsAsync(settings.Chaincode!, settings.EventNames, settings.Start, after, settings.Gateway, cancellationToken).ConfigureAwait(false))
        {
            if (settings.UntilBlock is { } until && block.Number > until)
            {
                break;
            }

            foreach (var e in block.Events)
            {
                if (!Write(json ? EventJson(e) : EventText(e)))
                {
                    return _emitted;
                }

                // Only what was written is recorded: a restart resumes right after the last line the consumer got.
                _last = new EventCheckpoint(e.Block, e.TxIndex, e.TxId);
                settings.Checkpoint?.Save(_last);
                if (++_emitted == settings.Count)
                {
                    return _emitted;
                }
            }

            if (settings.UntilBlock is { } last && block.Number >= last)
            {
                break;
            }
        }

        return _emitted;
    }

    private async Task<long> FollowBlocksAsync(EventFollower follower, EventsSettings settings, bool json, CancellationToken cancellationToken)
    {
        var after = settings.Checkpoint?.Load();
        _last = after;
        await foreach (var block in follower.BlocksAsync(settings.Start, after?.Block, cancellationToken).ConfigureAwait(false))
        {
            if (settings.UntilBlock is { } until && block.Number > until)
            {
                break;
            }

            if (!Write(json ? BlockJson(block) : BlockText(block)))
            {
                return _emitted;
            }

            _last = new EventCheckpoint(block.Number, null, null);
            settings.Checkpoint?.Save(_last);
            if (++_emitted == settings.Count || (settings.UntilBlock is { } last && block.Number >= last))
            {
                break;
            }
        }

        return _emitted;
    }

    /// <summary>Writes and flushes one line; false when stdout is gone (the consumer stopped reading): the stream ends there.</summary>
    private bool Write(string line)
    {
        _context.Output.WriteLine(line);
        _context.Output.Flush();
        return _context.Output is not ResilientWriter { IsBroken: true };
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
        var connTimeout = parse.GetValue(_connTimeout) ?? TimeSpan.FromSeconds(3);
        _ = FabricLog.ParseSpec(env[T.LoggingSpec.Env!]);
        var checkpoint = parse.GetValue(_checkpoint) is { Length: > 0 } file ? new CheckpointFile(file) : null;
        return new EventsSettings(
            new ConnectionSettings { Peers = peers, PeerTransport = new TransportSettings(connTimeout, clientCert), BindTlsCertHash = clientAuth },
            mspIdEnv ?? profile?.Profile.ClientMspId ?? RequiredEnv(env, T.MspId, "the MSP id of the signing identity"),
            FullPath(RequiredEnv(env, T.MspConfigPath, "the MSP folder of the signing identity")),
            channel,
            name,
            (parse.GetValue(_event) ?? []).ToHashSet(StringComparer.Ordinal),
            start,
            checkpoint,
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
