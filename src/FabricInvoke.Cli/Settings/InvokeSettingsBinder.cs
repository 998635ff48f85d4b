using System.CommandLine;
using FabricInvoke.Cli.Commands;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Invocation;
using FabricInvoke.Core.Transactions;
using Microsoft.Extensions.Configuration;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Settings;

/// <summary>Everything one <c>chaincode invoke</c> needs, validated: whom to talk to, who signs, what to do, how to report.</summary>
internal sealed record InvokeCommandSettings(
    ConnectionSettings Connections,
    string MspId,
    string MspConfigPath,
    InvokeOptions Options,
    OutputFormat Output,
    string? DevNetDirectory);

/// <summary>
/// Builds <see cref="InvokeCommandSettings"/> from flags, then environment, then defaults, as the rows of
/// <see cref="InvokeSettingsTable"/> state. Relative paths are resolved against the current directory.
/// </summary>
internal static class InvokeSettingsBinder
{
    /// <summary>Binds the command line.</summary>
    /// <param name="devnet">
    /// The running embedded network that provides peers, orderer and identity, or null. When <c>--devnet</c> is given but
    /// the network is not started yet, pass null: everything else is validated (so a usage error starts nothing) and
    /// placeholders stand for what the network will provide.
    /// </param>
    /// <exception cref="FabricInvokeException">Usage or Config, with the flag or variable named.</exception>
    public static InvokeCommandSettings Bind(InvokeCommandDefinition d, ParseResult parse, IConfiguration env, DevNetTarget? devnet = null)
    {
        var devnetDirectory = d.DevNetDirectory(parse);
        if (devnetDirectory is not null)
        {
            if (string.IsNullOrWhiteSpace(devnetDirectory))
            {
                throw Failures.Usage("--devnet needs a folder (or nothing, for .fabinvoke/devnet)");
            }

            devnetDirectory = FullPath(devnetDirectory);
            foreach (var (option, setting) in new (Option, Setting)[] { (d.PeerAddresses, T.PeerAddresses), (d.TlsRootCertFiles, T.TlsRootCertFiles), (d.Orderer, T.Orderer), (d.CaFile, T.CaFile) })
            {
                if (parse.GetResult(option) is not null)
                {
                    throw Failures.Usage($"{setting.Display} cannot be combined with --devnet: the embedded network provides its peers, orderer and identity");
                }
            }

            if (devnet is not null)
            {
                env = devnet.Environment(env);
            }
        }

        var pending = devnetDirectory is not null && devnet is null;
        var channel = Required(parse.GetValue(d.Channel), T.Channel);
        var name = Required(parse.GetValue(d.Name), T.Name);
        var args = CtorJson.ParseArgs(parse.GetValue(d.Ctor) ?? T.Ctor.Default!);
        var transient = CtorJson.ParseTransient(parse.GetValue(d.Transient));
        var invocation = new ChaincodeInvocation(channel, name, args, transient, parse.GetValue(d.IsInit));
        var output = parse.GetValue(d.Output) == "json" ? OutputFormat.Json : OutputFormat.Text;
        _ = Output.FabricLog.ParseSpec(Env(env, T.LoggingSpec));

        var connTimeout = parse.GetValue(d.ConnTimeout) ?? EnvDuration(env, T.ConnTimeout, T.MaxConnectTimeout) ?? TimeSpan.FromSeconds(3);
        var options = new InvokeOptions
        {
            Invocation = invocation,
            WaitForEvent = parse.GetValue(d.WaitForEvent),
            WaitForEventTimeout = parse.GetValue(d.WaitForEventTimeout) ?? TimeSpan.FromSeconds(30),
            RequestTimeout = parse.GetValue(d.RequestTimeout) ?? TimeSpan.FromSeconds(30),
        };

        var peerTls = Bool(env, T.TlsEnabled);
        var peers = devnet?.Peers ?? (pending ? [] : BindPeers(d, parse, env, peerTls, Env(env, T.ServerHostOverride)));

        var clientAuthRequired = Bool(env, T.ClientAuthRequired);
        ClientCertificateFiles? peerClientCert = null;
        if (clientAuthRequired)
        {
            const string why = "mutual TLS with peers (CORE_PEER_TLS_CLIENTAUTHREQUIRED=true)";
            peerClientCert = new ClientCertificateFiles(FullPath(RequiredEnv(env, T.ClientCertFile, why)), FullPath(RequiredEnv(env, T.ClientKeyFile, why)));
        }

        var orderers = devnet?.Orderers ?? (pending ? [] : BindOrderers(d, parse));
        ClientCertificateFiles? ordererClientCert = null;
        if (parse.GetValue(d.ClientAuth))
        {
            ordererClientCert = new ClientCertificateFiles(
                FullPath(Required(parse.GetValue(d.CertFile), T.CertFile, "required with --clientauth")),
                FullPath(Required(parse.GetValue(d.KeyFile), T.KeyFile, "required with --clientauth")));
        }

        var connections = new ConnectionSettings
        {
            Peers = peers,
            Orderers = orderers,
            PeerTransport = new TransportSettings(connTimeout, peerClientCert),
            OrdererTransport = new TransportSettings(connTimeout, ordererClientCert),
            BindTlsCertHash = clientAuthRequired,
        };
        var mspId = pending ? string.Empty : RequiredEnv(env, T.MspId, "the MSP id of the signing identity");
        var mspPath = pending ? string.Empty : FullPath(RequiredEnv(env, T.MspConfigPath, "the MSP folder of the signing identity"));
        return new InvokeCommandSettings(connections, mspId, mspPath, options, output, devnetDirectory);
    }

    private static List<NodeEndpoint> BindPeers(InvokeCommandDefinition d, ParseResult parse, IConfiguration env, bool tls, string? hostOverride)
    {
        var addresses = parse.GetValue(d.PeerAddresses) ?? [];
        var roots = parse.GetValue(d.TlsRootCertFiles) ?? [];
        if (addresses.Length == 0)
        {
            addresses = [RequiredEnv(env, T.PeerAddresses, "the peer address (or use --peerAddresses)")];
            if (roots.Length == 0 && tls)
            {
                roots = [RequiredEnv(env, T.TlsRootCertFiles, "the peer TLS root certificate (or use --tlsRootCertFiles)")];
            }
        }

        if (tls && roots.Length != addresses.Length)
        {
            throw Failures.Usage($"the number of peer addresses ({addresses.Length}) does not match the number of TLS root cert files ({roots.Length}); give one --tlsRootCertFiles per --peerAddresses");
        }

        return addresses.Select((a, i) => new NodeEndpoint(Endpoint.Parse(a, "peer"), tls ? FullPath(roots[i]) : null, hostOverride)).ToList();
    }

    private static List<NodeEndpoint> BindOrderers(InvokeCommandDefinition d, ParseResult parse)
    {
        var raw = (parse.GetValue(d.Orderer) ?? [])
            .SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        if (raw.Count == 0)
        {
            throw Failures.Usage("-o/--orderer is required (orderer discovery from the channel configuration is not supported yet)");
        }

        string? ca = null;
        if (parse.GetValue(d.Tls))
        {
            ca = FullPath(Required(parse.GetValue(d.CaFile), T.CaFile, "required with --tls"));
        }

        var hostOverride = parse.GetValue(d.OrdererHostOverride);
        return raw.Select(o => new NodeEndpoint(Endpoint.Parse(o, "orderer"), ca, string.IsNullOrEmpty(hostOverride) ? null : hostOverride)).ToList();
    }

    private static string Required(string? value, Setting setting, string? why = null) =>
        string.IsNullOrWhiteSpace(value)
            ? throw Failures.Usage(why is null ? $"{setting.Display} must be given" : $"{setting.Display} ({why}) must be given")
            : value;

    private static string? Env(IConfiguration env, Setting setting) =>
        string.IsNullOrWhiteSpace(env[setting.Env!]) ? null : env[setting.Env!]!.Trim();

    private static string RequiredEnv(IConfiguration env, Setting setting, string what) =>
        Env(env, setting) ?? throw Failures.ConfigMessage($"{setting.Env} is not set ({what})");

    private static bool Bool(IConfiguration env, Setting setting)
    {
        var value = Env(env, setting);
        return value switch
        {
            null => false,
            _ when bool.TryParse(value, out var b) => b,
            "1" or "t" or "T" => true,
            "0" or "f" or "F" => false,
            _ => throw Failures.Usage($"{setting.Env}='{value}' is not a boolean (true or false)"),
        };
    }

    private static TimeSpan? EnvDuration(IConfiguration env, Setting setting, TimeSpan max)
    {
        var text = Env(env, setting);
        if (text is null)
        {
            return null;
        }

        return Setting.TryDuration(text, setting.Env!, T.MinTimeout, max, out var value, out var error) ? value : throw Failures.Usage(error);
    }

    private static string FullPath(string path) => Path.GetFullPath(path);
}
