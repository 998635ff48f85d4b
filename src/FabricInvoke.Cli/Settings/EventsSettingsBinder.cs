using System.CommandLine;
using System.Globalization;
using FabricInvoke.Cli.Commands;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Events;
using FabricInvoke.Core.Transactions;
using Microsoft.Extensions.Configuration;
using static FabricInvoke.Cli.Settings.SettingValues;
using E = FabricInvoke.Cli.Settings.EventsSettingsTable;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Settings;

/// <summary>Builds <c>events</c> settings from flags, then environment, then the rows' defaults, as the chaincode commands' binder does.</summary>
internal static class EventsSettingsBinder
{
    /// <exception cref="FabricInvokeException">Usage or Config, with the flag or variable named.</exception>
    public static EventsCommandSettings Bind(EventsCommandDefinition d, ParseResult parse, IConfiguration env, EventStreamKind kind)
    {
        var chaincode = kind == EventStreamKind.Chaincode;
        var channel = Required(parse.GetValue(d.Channel), T.Channel);
        var name = chaincode ? Required(parse.GetValue(d.Name), T.Name) : null;
        var startText = parse.GetValue(d.Start) ?? E.Start.Default!;
        var start = startText.ToUpperInvariant() switch
        {
            "NEWEST" => SeekFrom.Newest,
            "OLDEST" => SeekFrom.Oldest,
            _ when ulong.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => SeekFrom.Block(n),
            _ => throw Failures.Usage($"invalid --start '{startText}': use newest, oldest or a block number"),
        };
        var count = parse.GetValue(d.Count);
        if (count is < 1)
        {
            throw Failures.Usage("--count must be at least 1");
        }

        var gateway = chaincode && parse.GetValue(d.Gateway);
        var profile = ProfileBinding.Load(parse.GetValue(d.ConnectionProfile), env, channel, Env(env, T.MspId));
        var peers = PeerSettingsBinder.BindPeers(parse.GetValue(d.PeerAddresses) ?? [], parse.GetValue(d.TlsRootCertFiles) ?? [], env,
            Bool(env, T.TlsEnabled), Env(env, T.ServerHostOverride), profile, ProfileRole.Events, out _);
        var clientCert = PeerSettingsBinder.PeerClientCertificate(env);

        // --connTimeout, else CORE_PEER_CLIENT_CONNTIMEOUT (as its help says), else the default.
        var connTimeout = PeerSettingsBinder.ConnectTimeout(parse.GetValue(d.ConnTimeout), env);
        _ = FabricLog.ParseSpec(env[T.LoggingSpec.Env!]);
        var checkpoint = parse.GetValue(d.Checkpoint) is { Length: > 0 } file ? new CheckpointFile(file) : null;
        var outputFile = parse.GetValue(d.OutputFile) is { Length: > 0 } o ? Path.GetFullPath(o) : null;
        if (outputFile is not null && checkpoint is null)
        {
            throw Failures.Usage("--output-file needs --checkpoint (the checkpoint records the file's length, which makes a restart exactly once)");
        }

        if (outputFile is not null && string.Equals(outputFile, checkpoint!.Path, StringComparison.Ordinal))
        {
            throw Failures.Usage("--output-file and --checkpoint must be different files");
        }

        var (mspId, mspPath) = PeerSettingsBinder.BindIdentity(env, profile);
        return new EventsCommandSettings(
            kind,
            new ConnectionSettings { Peers = peers, PeerTransport = CliTransport.Settings(connTimeout, clientCert), BindTlsCertHash = clientCert is not null },
            mspId,
            mspPath,
            channel,
            name,
            (parse.GetValue(d.Event) ?? []).ToHashSet(StringComparer.Ordinal),
            start,
            checkpoint,
            outputFile,
            parse.GetValue(d.UntilBlock),
            count,
            parse.GetValue(d.Timeout),
            E.ReconnectTimeout.Value(parse, d.ReconnectTimeout, env)!.Value,
            gateway,
            E.Output.Value(parse, d.Output));
    }
}
