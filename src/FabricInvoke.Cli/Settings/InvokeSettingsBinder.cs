using System.CommandLine;
using FabricInvoke.Cli.Commands;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Delivery;
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
    string? DevNetDirectory)
{
    /// <summary>--no-progress (or FABINVOKE_NO_PROGRESS): no live status line even on a terminal.</summary>
    public bool NoProgress { get; init; }

    /// <summary>Where one source replaced another's list (a flag a connection profile's, say): one INFO line each.</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];
}

/// <summary>Everything one <c>chaincode query</c> needs, validated.</summary>
internal sealed record QueryCommandSettings(
    ConnectionSettings Connections,
    string MspId,
    string MspConfigPath,
    ChaincodeInvocation Invocation,
    TimeSpan RequestTimeout,
    bool Gateway,
    bool QueryAll,
    PayloadFormat Payload,
    OutputFormat Output,
    string? DevNetDirectory)
{
    /// <summary>Where one source replaced another's list (a flag a connection profile's, say): one INFO line each.</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];
}

/// <summary>How a query prints its payload: as text (the bytes as they are), as Go prints a byte slice (-r), or in hex (-x).</summary>
internal enum PayloadFormat
{
    Text,
    Raw,
    Hex,
}

/// <summary>
/// Builds command settings from flags, then environment, then defaults, as the rows of <see cref="InvokeSettingsTable"/>
/// state; a connection profile named explicitly (--connectionProfile or FABINVOKE_CONNECTION_PROFILE) gives the peers
/// and orderers unless flags replace them, whatever CORE_PEER_* variables say. Every replaced list is reported as a
/// notice. Relative paths are resolved against the current directory.
/// </summary>
internal static class InvokeSettingsBinder
{
    /// <summary>Binds <c>chaincode invoke</c>.</summary>
    /// <param name="devnet">
    /// The running embedded network that provides peers, orderer and identity, or null. When <c>--devnet</c> is given but
    /// the network is not started yet, pass null: everything else is validated (so a usage error starts nothing) and
    /// placeholders stand for what the network will provide.
    /// </param>
    /// <exception cref="FabricInvokeException">Usage or Config, with the flag or variable named.</exception>
    public static InvokeCommandSettings Bind(InvokeCommandDefinition d, ParseResult parse, IConfiguration env, DevNetTarget? devnet = null)
    {
        var common = BindCommon(d, parse, ref env, devnet, ProfileRole.Invoke, extraForbidden: [(d.Orderer, T.Orderer), (d.CaFile, T.CaFile)]);
        var invocation = new ChaincodeInvocation(common.Channel, common.Name, common.Args, common.Transient, parse.GetValue(d.IsInit));
        var gateway = parse.GetValue(d.Gateway);
        var waitFor = parse.GetValue(d.WaitFor) ?? CommitPolicy.All;
        var endorsingOrgs = (parse.GetValue(d.EndorsingOrganizations) ?? [])
            .SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (gateway)
        {
            if (waitFor.Kind != CommitPolicyKind.All)
            {
                throw Failures.Usage("--waitFor cannot be combined with --gateway: the gateway peer reports the commit it sees");
            }

            if ((parse.GetValue(d.Orderer) ?? []).Length > 0)
            {
                throw Failures.Usage("-o/--orderer cannot be combined with --gateway: the gateway orders the transaction itself");
            }
        }
        else if (endorsingOrgs.Count > 0)
        {
            throw Failures.Usage("--endorsingOrganizations needs --gateway (without it, the peers given are the endorsers)");
        }

        var options = new InvokeOptions
        {
            Invocation = invocation,
            WaitForEvent = parse.GetValue(d.WaitForEvent),
            WaitForEventTimeout = parse.GetValue(d.WaitForEventTimeout) ?? TimeSpan.FromSeconds(30),
            RequestTimeout = common.RequestTimeout,
            WaitFor = waitFor,
            Gateway = gateway,
            EndorsingOrganizations = endorsingOrgs,
        };

        ClientCertificateFiles? ordererClientCert = null;
        if (parse.GetValue(d.ClientAuth))
        {
            ordererClientCert = new ClientCertificateFiles(
                FullPath(Required(parse.GetValue(d.CertFile), T.CertFile, "required with --clientauth")),
                FullPath(Required(parse.GetValue(d.KeyFile), T.KeyFile, "required with --clientauth")));
        }

        string? ordererCa = parse.GetValue(d.Tls) ? FullPath(Required(parse.GetValue(d.CaFile), T.CaFile, "required with --tls")) : null;
        var ordererOverride = HostOverride(NullIfEmpty(parse.GetValue(d.OrdererHostOverride)), T.OrdererHostOverride.Display);
        var orderers = devnet?.Orderers ?? (common.Pending || gateway ? [] : BindOrderers(d, parse, ordererCa, ordererOverride));
        RefuseDuplicates(orderers, "orderer", T.Orderer.Display);
        var notices = common.Notices;
        if (!gateway && common.Profile is { Selection.Orderers.Count: > 0 } profile)
        {
            if (orderers.Count == 0)
            {
                // No -o: the profile's orderers for the channel, with --cafile / --ordererTLSHostnameOverride when given.
                orderers = profile.Orderers(ordererCa, ordererOverride);
            }
            else if (devnet is null)
            {
                notices = [.. notices, $"-o replaces the orderers of connection profile {profile.Profile.File}"];
            }
        }

        var connections = common.Connections with
        {
            Orderers = orderers,
            OrdererTransport = new TransportSettings(common.Connections.PeerTransport.ConnectTimeout, ordererClientCert),
            DiscoveredOrderers = orderers.Count == 0 && !gateway && devnet is null ? new DiscoveredOrderers(ordererCa, ordererOverride) : null,
        };
        return new InvokeCommandSettings(connections, common.MspId, common.MspPath, options, common.Output, common.DevNetDirectory)
        {
            NoProgress = parse.GetValue(d.NoProgress) || Bool(env, T.NoProgress),
            Notices = notices,
        };
    }

    /// <summary>Binds <c>chaincode query</c>.</summary>
    /// <exception cref="FabricInvokeException">Usage or Config, with the flag or variable named.</exception>
    public static QueryCommandSettings Bind(QueryCommandDefinition d, ParseResult parse, IConfiguration env, DevNetTarget? devnet = null)
    {
        var common = BindCommon(d, parse, ref env, devnet, ProfileRole.Query, extraForbidden: []);
        var raw = parse.GetValue(d.Raw);
        var hex = parse.GetValue(d.Hex);
        if (raw && hex)
        {
            throw Failures.Usage("options --raw (-r) and --hex (-x) are not compatible");
        }

        var gateway = parse.GetValue(d.Gateway);
        var queryAll = parse.GetValue(d.QueryAll);
        if (gateway && queryAll)
        {
            throw Failures.Usage("--queryAll cannot be combined with --gateway: the gateway picks the peer that evaluates");
        }

        return new QueryCommandSettings(
            common.Connections,
            common.MspId,
            common.MspPath,
            new ChaincodeInvocation(common.Channel, common.Name, common.Args, common.Transient, false),
            common.RequestTimeout,
            gateway,
            queryAll,
            raw ? PayloadFormat.Raw : hex ? PayloadFormat.Hex : PayloadFormat.Text,
            common.Output,
            common.DevNetDirectory)
        {
            Notices = common.Notices,
        };
    }

    /// <summary>What every chaincode command binds the same way.</summary>
    private sealed record Common(
        string Channel,
        string Name,
        IReadOnlyList<byte[]> Args,
        IReadOnlyList<KeyValuePair<string, byte[]>> Transient,
        ConnectionSettings Connections,
        string MspId,
        string MspPath,
        TimeSpan RequestTimeout,
        OutputFormat Output,
        string? DevNetDirectory,
        bool Pending,
        ProfileBinding? Profile,
        IReadOnlyList<string> Notices);

    private static Common BindCommon(ChaincodeCommandDefinition d, ParseResult parse, ref IConfiguration env, DevNetTarget? devnet, ProfileRole role, (Option, Setting)[] extraForbidden)
    {
        var devnetDirectory = d.DevNetDirectory(parse);
        string? devnetNotice = null;
        if (devnetDirectory is not null)
        {
            if (string.IsNullOrWhiteSpace(devnetDirectory))
            {
                throw Failures.Usage("--devnet needs a folder (or nothing, for .fabinvoke/devnet)");
            }

            devnetDirectory = FullPath(devnetDirectory);
            foreach (var (option, setting) in new (Option, Setting)[] { (d.PeerAddresses, T.PeerAddresses), (d.TlsRootCertFiles, T.TlsRootCertFiles), (d.ConnectionProfile, T.ConnectionProfile) }.Concat(extraForbidden))
            {
                if (parse.GetResult(option) is not null)
                {
                    throw Failures.Usage($"{setting.Display} cannot be combined with --devnet: the embedded network provides its peers, orderer and identity");
                }
            }

            if (devnet is not null)
            {
                devnetNotice = devnet.UnusedVariablesNotice(env);
                env = devnet.Environment(env);
            }
        }

        var pending = devnetDirectory is not null && devnet is null;
        var channel = Required(parse.GetValue(d.Channel), T.Channel);
        var name = Required(parse.GetValue(d.Name), T.Name);
        var args = CtorJson.ParseArgs(parse.GetValue(d.Ctor) ?? T.Ctor.Default!);
        var transient = CtorJson.ParseTransient(parse.GetValue(d.Transient));
        var output = parse.GetValue(d.Output) == "json" ? OutputFormat.Json : OutputFormat.Text;
        _ = FabricLog.ParseSpec(Env(env, T.LoggingSpec));

        var connTimeout = parse.GetValue(d.ConnTimeout) ?? EnvDuration(env, T.ConnTimeout, T.MaxConnectTimeout) ?? TimeSpan.FromSeconds(3);
        var peerTls = Bool(env, T.TlsEnabled);
        // With --devnet the network provides everything (FABINVOKE_CONNECTION_PROFILE is not used); usage is checked first.
        var profile = devnetDirectory is null ? ProfileBinding.Load(parse.GetValue(d.ConnectionProfile), env, channel, Env(env, T.MspId)) : null;
        List<NodeEndpoint>? deliverPeers = null;
        var notices = devnetNotice is null ? new List<string>() : [devnetNotice];
        var peers = devnet?.Peers ?? (pending ? [] : BindPeers(parse.GetValue(d.PeerAddresses) ?? [], parse.GetValue(d.TlsRootCertFiles) ?? [], env, peerTls, Env(env, T.ServerHostOverride), profile, role, out deliverPeers, notices));

        var clientAuthRequired = Bool(env, T.ClientAuthRequired);
        ClientCertificateFiles? peerClientCert = null;
        if (clientAuthRequired)
        {
            const string why = "mutual TLS with peers (CORE_PEER_TLS_CLIENTAUTHREQUIRED=true)";
            peerClientCert = new ClientCertificateFiles(FullPath(RequiredEnv(env, T.ClientCertFile, why)), FullPath(RequiredEnv(env, T.ClientKeyFile, why)));
        }

        var connections = new ConnectionSettings
        {
            Peers = peers,
            DeliverPeers = deliverPeers,
            PeerTransport = new TransportSettings(connTimeout, peerClientCert),
            BindTlsCertHash = clientAuthRequired,
        };
        var mspId = pending ? string.Empty : Env(env, T.MspId) ?? profile?.Profile.ClientMspId ?? RequiredEnv(env, T.MspId, "the MSP id of the signing identity");
        var mspPath = pending ? string.Empty : FullPath(RequiredEnv(env, T.MspConfigPath, "the MSP folder of the signing identity"));
        return new Common(channel, name, args, transient, connections, mspId, mspPath,
            parse.GetValue(d.RequestTimeout) ?? TimeSpan.FromSeconds(30), output, devnetDirectory, pending, profile, notices);
    }

    /// <summary>
    /// The peers from --peerAddresses/--tlsRootCertFiles, else the connection profile's peers for
    /// <paramref name="role"/> (and, for an invoke, the ones to wait on) when one is named, else
    /// CORE_PEER_ADDRESS/CORE_PEER_TLS_ROOTCERT_FILE. A profile is named explicitly, so the CORE_PEER_* variables that
    /// describe one peer (which every Fabric sample's environment script exports) do not replace its peers; flags do.
    /// Every command that talks to peers binds them here.
    /// </summary>
    /// <param name="notices">Receives one line for each list replaced or variable left unused because of the profile.</param>
    internal static List<NodeEndpoint> BindPeers(
        string[] addresses, string[] roots, IConfiguration env, bool tls, string? hostOverride, ProfileBinding? profile, ProfileRole role, out List<NodeEndpoint>? deliverPeers,
        List<string>? notices = null)
    {
        deliverPeers = null;
        hostOverride = HostOverride(hostOverride, T.ServerHostOverride.Env!);
        if (addresses.Length == 0 && profile is not null)
        {
            if (roots.Length > 0)
            {
                throw Failures.Usage("--tlsRootCertFiles pairs with --peerAddresses; the connection profile gives its own peers' TLS roots");
            }

            var unused = new[] { T.PeerAddresses, T.TlsRootCertFiles, T.ServerHostOverride }.Where(s => Env(env, s) is not null).Select(s => s.Env).ToList();
            if (unused.Count > 0)
            {
                notices?.Add($"{string.Join(", ", unused)} not used: connection profile {profile.Profile.File} gives the peers (only --peerAddresses replaces them)");
            }

            var (fromProfile, waitOn) = profile.Peers(role);
            deliverPeers = waitOn;
            return fromProfile;
        }

        if (profile is not null)
        {
            notices?.Add($"--peerAddresses replace the peers of connection profile {profile.Profile.File}");
        }

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

        var peers = addresses.Select((a, i) => new NodeEndpoint(Endpoint.Parse(a, "peer"), tls ? FullPath(roots[i]) : null, hostOverride)).ToList();
        RefuseDuplicates(peers, "peer", T.PeerAddresses.Display);
        return peers;
    }

    /// <summary>
    /// The same node twice (same host and port) would be asked twice — and counted twice by whoever counts
    /// endorsements — so it is refused before anything is sent, naming both places it was given.
    /// </summary>
    /// <exception cref="FabricInvokeException">Usage: a node is given twice.</exception>
    private static void RefuseDuplicates(IReadOnlyList<NodeEndpoint> nodes, string role, string source)
    {
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < nodes.Count; i++)
        {
            var address = nodes[i].Address.ToString();
            if (seen.TryGetValue(address, out var first))
            {
                throw Failures.Usage($"{role} {Failures.Shorten(address)} is given twice ({source}: #{first + 1} and #{i + 1}); give each {role} once");
            }

            seen[address] = i;
        }
    }

    /// <summary>A host name override as given, or null; one that cannot be a host name is a usage error naming its source.</summary>
    /// <exception cref="FabricInvokeException">Usage: not a DNS name or IP address.</exception>
    internal static string? HostOverride(string? value, string source) =>
        value is null || Endpoint.IsHostName(value)
            ? value
            : throw Failures.Usage($"invalid host name '{Failures.Shorten(value)}' for {source}: expected a DNS name or an IP address, as in the node's TLS certificate");

    // A loop, not a LINQ chain: LINQ's iterators dispatch through generic virtual methods, which native AOT resolves
    // with its run-time type loader on first use (DirectCallInvoker says why that matters).
    private static List<NodeEndpoint> BindOrderers(InvokeCommandDefinition d, ParseResult parse, string? ca, string? hostOverride)
    {
        var orderers = new List<NodeEndpoint>();
        foreach (var value in parse.GetValue(d.Orderer) ?? [])
        {
            foreach (var address in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                orderers.Add(new NodeEndpoint(Endpoint.Parse(address, "orderer"), ca, hostOverride));
            }
        }

        return orderers;
    }

    internal static string Required(string? value, Setting setting, string? why = null) =>
        string.IsNullOrWhiteSpace(value)
            ? throw Failures.Usage(why is null ? $"{setting.Display} must be given" : $"{setting.Display} ({why}) must be given")
            : value;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    internal static string? Env(IConfiguration env, Setting setting) =>
        string.IsNullOrWhiteSpace(env[setting.Env!]) ? null : env[setting.Env!]!.Trim();

    internal static string RequiredEnv(IConfiguration env, Setting setting, string what) =>
        Env(env, setting) ?? throw Failures.ConfigMessage($"{setting.Env} is not set ({what})");

    internal static bool Bool(IConfiguration env, Setting setting)
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

    internal static TimeSpan? EnvDuration(IConfiguration env, Setting setting, TimeSpan max)
    {
        var text = Env(env, setting);
        if (text is null)
        {
            return null;
        }

        return Setting.TryDuration(text, setting.Env!, T.MinTimeout, max, out var value, out var error) ? value : throw Failures.Usage(error);
    }

    /// <exception cref="FabricInvokeException">Usage: not a usable path (a NUL byte, say).</exception>
    internal static string FullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Failures.Usage($"'{path}' is not a usable path ({e.Message})");
        }
    }
}
