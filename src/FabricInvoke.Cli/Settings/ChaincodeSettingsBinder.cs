using System.CommandLine;
using FabricInvoke.Cli.Commands;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Invocation;
using FabricInvoke.Core.Transactions;
using Microsoft.Extensions.Configuration;
using static FabricInvoke.Cli.Settings.SettingValues;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// Builds command settings from flags, then environment, then defaults, as the rows of <see cref="InvokeSettingsTable"/>
/// state; a connection profile named explicitly (--connectionProfile or FABINVOKE_CONNECTION_PROFILE) gives the peers
/// and orderers unless flags replace them, whatever CORE_PEER_* variables say. Every replaced list is reported as a
/// notice. Relative paths are resolved against the current directory.
/// </summary>
internal static class ChaincodeSettingsBinder
{
    /// <summary>
    /// Binds <c>chaincode invoke</c>, once. With <c>--devnet</c> everything is validated (so a usage error starts
    /// nothing) and what the network will provide (peers, orderer, identity) is left empty:
    /// <see cref="InvokeCommandSettings.On"/> fills it in once the network runs.
    /// </summary>
    /// <exception cref="FabricInvokeException">Usage or Config, with the flag or variable named.</exception>
    public static InvokeCommandSettings Bind(InvokeCommandDefinition d, ParseResult parse, IConfiguration env)
    {
        var batch = BatchSettingsBinder.Check(d, parse);
        var common = BindCommon(d, parse, env, ProfileRole.Invoke, extraForbidden: [(d.Orderer, T.Orderer), (d.CaFile, T.CaFile)], batch);
        var invocation = new ChaincodeInvocation(common.Channel, common.Name, common.Args, common.Transient, parse.GetValue(d.IsInit));
        var gateway = parse.GetValue(d.Gateway);
        var waitFor = T.WaitFor.Value(parse, d.WaitFor);
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
            WaitForEventTimeout = T.WaitForEventTimeout.Value(parse, d.WaitForEventTimeout, env)!.Value,
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
        var orderers = common.DevNetDirectory is not null || gateway ? [] : BindOrderers(d, parse, ordererCa, ordererOverride);
        PeerSettingsBinder.RefuseDuplicates(orderers, "orderer", T.Orderer.Display);
        var notices = common.Notices;
        if (!gateway && common.Profile is { Selection.Orderers.Count: > 0 } profile)
        {
            if (orderers.Count == 0)
            {
                // No -o: the profile's orderers for the channel, with --cafile / --ordererTLSHostnameOverride when given.
                orderers = profile.Orderers(ordererCa, ordererOverride);
            }
            else
            {
                notices = [.. notices, $"-o replaces the orderers of connection profile {profile.Profile.File}"];
            }
        }

        var connections = common.Connections with
        {
            Orderers = orderers,
            OrdererTransport = CliTransport.Settings(common.Connections.PeerTransport.ConnectTimeout, ordererClientCert),
            DiscoveredOrderers = orderers.Count == 0 && !gateway && common.DevNetDirectory is null ? new DiscoveredOrderers(ordererCa, ordererOverride) : null,
        };
        return new InvokeCommandSettings(connections, common.MspId, common.MspPath, options, common.Output, common.DevNetDirectory)
        {
            NoProgress = parse.GetValue(d.NoProgress) || Bool(env, T.NoProgress),
            Notices = notices,
        };
    }

    /// <summary>Binds <c>chaincode query</c>, once (with <c>--devnet</c>, as <c>chaincode invoke</c> is).</summary>
    /// <exception cref="FabricInvokeException">Usage or Config, with the flag or variable named.</exception>
    public static QueryCommandSettings Bind(QueryCommandDefinition d, ParseResult parse, IConfiguration env)
    {
        var common = BindCommon(d, parse, env, ProfileRole.Query, extraForbidden: []);
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
        ProfileBinding? Profile,
        IReadOnlyList<string> Notices);

    private static Common BindCommon(ChaincodeCommandDefinition d, ParseResult parse, IConfiguration env, ProfileRole role, (Option, Setting)[] extraForbidden, bool batch = false)
    {
        var devnetDirectory = d.DevNetDirectory(parse);
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
        }

        // With --devnet the network gives the peers, orderer and identity: they are left empty here (DevNetTarget).
        var devnet = devnetDirectory is not null;
        var channel = Required(parse.GetValue(d.Channel), T.Channel);
        var name = Required(parse.GetValue(d.Name), T.Name);
        // --batch: each line says what to invoke (the binder refused -c and --transient with it).
        IReadOnlyList<byte[]> args = batch ? [] : CtorJson.ParseArgs(parse.GetValue(d.Ctor) ?? T.Ctor.Default!);
        var transient = CtorJson.ParseTransient(parse.GetValue(d.Transient));
        var output = T.Output.Value(parse, d.Output);
        _ = FabricLog.ParseSpec(Env(env, T.LoggingSpec));

        var connTimeout = PeerSettingsBinder.ConnectTimeout(parse.GetValue(d.ConnTimeout), env);
        var peerTls = Bool(env, T.TlsEnabled);
        // With --devnet the network provides everything (FABINVOKE_CONNECTION_PROFILE is not used); usage is checked first.
        var profile = devnet ? null : ProfileBinding.Load(parse.GetValue(d.ConnectionProfile), env, channel, Env(env, T.MspId));
        List<NodeEndpoint>? deliverPeers = null;
        var notices = new List<string>();
        var peers = devnet ? [] : PeerSettingsBinder.BindPeers(parse.GetValue(d.PeerAddresses) ?? [], parse.GetValue(d.TlsRootCertFiles) ?? [], env, peerTls, Env(env, T.ServerHostOverride), profile, role, out deliverPeers, notices);

        var peerClientCert = PeerSettingsBinder.PeerClientCertificate(env);
        var connections = new ConnectionSettings
        {
            Peers = peers,
            DeliverPeers = deliverPeers,
            PeerTransport = CliTransport.Settings(connTimeout, peerClientCert),
            BindTlsCertHash = peerClientCert is not null,
        };
        var (mspId, mspPath) = devnet ? (string.Empty, string.Empty) : PeerSettingsBinder.BindIdentity(env, profile);
        return new Common(channel, name, args, transient, connections, mspId, mspPath,
            T.RequestTimeout.Value(parse, d.RequestTimeout, env)!.Value, output, devnetDirectory, profile, notices);
    }

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
}
