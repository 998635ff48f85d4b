using System.CommandLine;
using FabricInvoke.Cli.Commands;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Transactions;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// Builds <see cref="InvokeSettings"/> from flags, then environment, then defaults — the one mapping table
/// (flags win over env):
/// <list type="table">
/// <item>peers: --peerAddresses | CORE_PEER_ADDRESS</item>
/// <item>peer TLS roots: --tlsRootCertFiles | CORE_PEER_TLS_ROOTCERT_FILE (used when CORE_PEER_TLS_ENABLED)</item>
/// <item>peer TLS server name: CORE_PEER_TLS_SERVERHOSTOVERRIDE</item>
/// <item>peer mutual TLS: CORE_PEER_TLS_CLIENTAUTHREQUIRED + CORE_PEER_TLS_CLIENTCERT_FILE / CORE_PEER_TLS_CLIENTKEY_FILE</item>
/// <item>identity: CORE_PEER_LOCALMSPID, CORE_PEER_MSPCONFIGPATH</item>
/// <item>connect timeout: --connTimeout | CORE_PEER_CLIENT_CONNTIMEOUT | 3s</item>
/// <item>orderer: -o/--orderer with --tls, --cafile, --ordererTLSHostnameOverride, --clientauth/--certfile/--keyfile</item>
/// </list>
/// Relative paths are resolved against the current directory.
/// </summary>
internal static class InvokeSettingsBinder
{
    /// <exception cref="FabricInvokeException">Usage or Config, with the flag or variable named.</exception>
    public static InvokeSettings Bind(InvokeCommandDefinition d, ParseResult parse, IConfiguration env, DevNetTarget? devnet = null)
    {
        if (devnet is not null)
        {
            foreach (var (option, flag) in new (Option, string)[] { (d.PeerAddresses, "--peerAddresses"), (d.TlsRootCertFiles, "--tlsRootCertFiles"), (d.Orderer, "-o/--orderer"), (d.CaFile, "--cafile") })
            {
                if (parse.GetResult(option) is not null)
                {
                    throw Failures.Usage($"{flag} cannot be combined with --devnet: the embedded network provides its peers, orderer and identity");
                }
            }

            env = devnet.Environment(env);
        }

        var channel = Required(parse.GetValue(d.Channel), "-C/--channelID");
        var name = Required(parse.GetValue(d.Name), "-n/--name");
        var args = CtorJson.ParseArgs(parse.GetValue(d.Ctor) ?? "{}");
        var transient = CtorJson.ParseTransient(parse.GetValue(d.Transient));
        var invocation = new ChaincodeInvocation(channel, name, args, transient, parse.GetValue(d.IsInit));

        var connTimeout = Duration(parse.GetValue(d.ConnTimeout) ?? Env(env, "CORE_PEER_CLIENT_CONNTIMEOUT") ?? "3s",
            parse.GetValue(d.ConnTimeout) is null && Env(env, "CORE_PEER_CLIENT_CONNTIMEOUT") is not null ? "CORE_PEER_CLIENT_CONNTIMEOUT" : "--connTimeout");
        var waitTimeout = Duration(parse.GetValue(d.WaitForEventTimeout) ?? "30s", "--waitForEventTimeout");
        var requestTimeout = Duration(parse.GetValue(d.RequestTimeout) ?? "30s", "--requestTimeout");

        var peerTls = Bool(env, "CORE_PEER_TLS_ENABLED");
        var peerHostOverride = Env(env, "CORE_PEER_TLS_SERVERHOSTOVERRIDE");
        var peers = devnet is null ? BindPeers(d, parse, env, peerTls, peerHostOverride) : devnet.Peers;

        var clientAuthRequired = Bool(env, "CORE_PEER_TLS_CLIENTAUTHREQUIRED");
        ClientCertificateFiles? peerClientCert = null;
        if (clientAuthRequired)
        {
            peerClientCert = new ClientCertificateFiles(
                FullPath(RequiredEnv(env, "CORE_PEER_TLS_CLIENTCERT_FILE", "mutual TLS with peers (CORE_PEER_TLS_CLIENTAUTHREQUIRED=true)")),
                FullPath(RequiredEnv(env, "CORE_PEER_TLS_CLIENTKEY_FILE", "mutual TLS with peers (CORE_PEER_TLS_CLIENTAUTHREQUIRED=true)")));
        }

        var orderers = devnet is null ? BindOrderers(d, parse) : devnet.Orderers;
        ClientCertificateFiles? ordererClientCert = null;
        if (parse.GetValue(d.ClientAuth))
        {
            ordererClientCert = new ClientCertificateFiles(
                FullPath(Required(parse.GetValue(d.CertFile), "--certfile (required with --clientauth)")),
                FullPath(Required(parse.GetValue(d.KeyFile), "--keyfile (required with --clientauth)")));
        }

        return new InvokeSettings
        {
            Invocation = invocation,
            MspId = RequiredEnv(env, "CORE_PEER_LOCALMSPID", "the MSP id of the signing identity"),
            MspConfigPath = FullPath(RequiredEnv(env, "CORE_PEER_MSPCONFIGPATH", "the MSP folder of the signing identity")),
            Peers = peers,
            Orderers = orderers,
            PeerTransport = new TransportSettings(connTimeout, peerClientCert),
            OrdererTransport = new TransportSettings(connTimeout, ordererClientCert),
            BindTlsCertHash = clientAuthRequired,
            WaitForEvent = parse.GetValue(d.WaitForEvent),
            WaitForEventTimeout = waitTimeout,
            RequestTimeout = requestTimeout,
        };
    }

    private static List<NodeEndpoint> BindPeers(InvokeCommandDefinition d, ParseResult parse, IConfiguration env, bool tls, string? hostOverride)
    {
        var addresses = parse.GetValue(d.PeerAddresses) ?? [];
        var roots = parse.GetValue(d.TlsRootCertFiles) ?? [];
        if (addresses.Length == 0)
        {
            addresses = [RequiredEnv(env, "CORE_PEER_ADDRESS", "the peer address (or use --peerAddresses)")];
            if (roots.Length == 0 && tls)
            {
                roots = [RequiredEnv(env, "CORE_PEER_TLS_ROOTCERT_FILE", "the peer TLS root certificate (or use --tlsRootCertFiles)")];
            }
        }

        if (tls && roots.Length != addresses.Length)
        {
            throw Failures.Usage($"the number of peer addresses ({addresses.Length}) does not match the number of TLS root cert files ({roots.Length}); give one --tlsRootCertFiles per --peerAddresses");
        }

        return addresses.Select((a, i) => new NodeEndpoint(
            Endpoint.Parse(a, "peer"),
            tls ? FullPath(roots[i]) : null,
            string.IsNullOrEmpty(hostOverride) ? null : hostOverride)).ToList();
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
            ca = FullPath(Required(parse.GetValue(d.CaFile), "--cafile (required with --tls)"));
        }

        var hostOverride = parse.GetValue(d.OrdererHostOverride);
        return raw.Select(o => new NodeEndpoint(Endpoint.Parse(o, "orderer"), ca, string.IsNullOrEmpty(hostOverride) ? null : hostOverride)).ToList();
    }

    private static string Required(string? value, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw Failures.Usage($"{what} must be given") : value;

    private static string? Env(IConfiguration env, string name) =>
        string.IsNullOrWhiteSpace(env[name]) ? null : env[name]!.Trim();

    private static string RequiredEnv(IConfiguration env, string name, string what) =>
        Env(env, name) ?? throw Failures.ConfigMessage($"{name} is not set ({what})");

    private static bool Bool(IConfiguration env, string name)
    {
        var value = Env(env, name);
        return value switch
        {
            null => false,
            _ when bool.TryParse(value, out var b) => b,
            "1" or "t" or "T" => true,
            "0" or "f" or "F" => false,
            _ => throw Failures.Usage($"{name}='{value}' is not a boolean (true or false)"),
        };
    }

    private static TimeSpan Duration(string text, string what) =>
        GoDuration.TryParse(text, out var d) && d > TimeSpan.Zero
            ? d
            : throw Failures.Usage($"invalid duration '{text}' for {what}: use a Go duration such as 3s, 500ms or 1m30s");

    private static string FullPath(string path) => Path.GetFullPath(path);
}
