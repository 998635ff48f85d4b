using FabricInvoke.Core.Configuration;
using FabricInvoke.DevNet.Host.Protocol;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// Points a command at a running embedded network — one it started, or a <c>devnet up</c> it attached to: its peers,
/// its orderer and Org1's User1. It gives them to the settings bound once from the command line
/// (<see cref="InvokeCommandSettings.On"/>); no environment is faked and nothing is bound a second time.
/// </summary>
internal sealed class DevNetTarget
{
    private readonly HostNetwork _network;

    public DevNetTarget(HostNetwork network)
    {
        _network = network;
        Peers = network.Peers.Select(p => new NodeEndpoint(Endpoint.Parse(p.Address, "peer"), p.TlsRootCertFile, null)).ToList();
        Orderers = [new NodeEndpoint(Endpoint.Parse(network.Orderer.Address, "orderer"), network.Orderer.TlsRootCertFile, null)];
    }

    public IReadOnlyList<NodeEndpoint> Peers { get; }

    public IReadOnlyList<NodeEndpoint> Orderers { get; }

    /// <summary>
    /// The line saying which of the user's CORE_PEER_* variables --devnet replaces (set to something other than this
    /// network's own values, as sourcing its devnet.env would set them), or null when none.
    /// </summary>
    public string? UnusedVariablesNotice(IConfiguration user)
    {
        var identity = _network.Users[0];
        var own = new Dictionary<string, IReadOnlyList<string>>
        {
            ["CORE_PEER_ADDRESS"] = _network.Peers.Select(p => p.Address).ToList(),
            ["CORE_PEER_TLS_ROOTCERT_FILE"] = _network.Peers.Select(p => p.TlsRootCertFile).ToList(),
            ["CORE_PEER_LOCALMSPID"] = _network.Users.Select(u => u.MspId).ToList(),
            ["CORE_PEER_MSPCONFIGPATH"] = _network.Users.Select(u => u.MspDirectory).ToList(),
            ["CORE_PEER_TLS_SERVERHOSTOVERRIDE"] = [],
        };
        var unused = own.Where(v => !string.IsNullOrWhiteSpace(user[v.Key]) && !v.Value.Contains(user[v.Key]!.Trim())).Select(v => v.Key).ToList();
        return unused.Count == 0 ? null : $"{string.Join(", ", unused)} not used: --devnet gives the peers, orderer and identity (those of {identity.MspId} {identity.MspDirectory})";
    }

    /// <summary>The MSP id of the identity commands sign as (Org1's User1).</summary>
    public string MspId => _network.Users[0].MspId;

    /// <summary>That identity's MSP folder.</summary>
    public string MspDirectory => SettingValues.FullPath(_network.Users[0].MspDirectory);

    /// <summary>
    /// The connection settings bound from the command line, pointed at this network: its peers (TLS, no host name
    /// override, no client certificate, which it does not ask for) and, for a command that orders, its orderer. The
    /// connect bound and the orderer's client certificate (<c>--clientauth</c>) stay as bound.
    /// </summary>
    public ConnectionSettings Connections(ConnectionSettings bound, bool withOrderers) => bound with
    {
        Peers = Peers,
        DeliverPeers = null,
        PeerTransport = bound.PeerTransport with { ClientCertificate = null },
        BindTlsCertHash = false,
        Orderers = withOrderers ? Orderers : bound.Orderers,
        DiscoveredOrderers = null,
    };
}
