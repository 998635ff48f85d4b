using FabricInvoke.DevNet.Chaincode;
using FabricInvoke.DevNet.Orderer;
using FabricInvoke.DevNet.Peer;
using FabricInvoke.DevNet.Validation;

namespace FabricInvoke.DevNet.Gateway;

/// <summary>
/// What every peer's gateway knows about the network — the part of discovery and the channel configuration a Fabric
/// gateway uses: the channel's peers (with their endpoints and organisations), which chaincodes they have, the channel's
/// MSPs and its orderer. Endpoints are bound once the servers listen.
/// </summary>
internal sealed class GatewayDirectory(IReadOnlyList<DevPeerNode> peers, DevOrdererNode orderer, MspRegistry msp)
{
    /// <summary>The system chaincodes every peer has (discovery counts them as installed everywhere).</summary>
    private static readonly HashSet<string> SystemChaincodes = new(StringComparer.Ordinal) { "cscc", "qscc", "lscc", "_lifecycle" };

    private volatile IReadOnlyDictionary<DevPeerNode, string> _addresses = new Dictionary<DevPeerNode, string>();
    private volatile string? _ordererAddress;

    public IReadOnlyList<DevPeerNode> Peers => peers;

    public DevOrdererNode Orderer => orderer;

    public MspRegistry Msp => msp;

    public string ChannelId => orderer.ChannelId;

    public string OrdererAddress => _ordererAddress ?? orderer.Name;

    /// <summary>Records where each node listens (the endpoints the gateway names in its error details).</summary>
    public void Bind(IReadOnlyDictionary<DevPeerNode, string> peerAddresses, string ordererAddress)
    {
        _addresses = peerAddresses;
        _ordererAddress = ordererAddress;
    }

    public string AddressOf(DevPeerNode peer) => _addresses.TryGetValue(peer, out var address) ? address : peer.Name;

    /// <summary>
    /// The peers of <paramref name="channelId"/> that have <paramref name="chaincode"/>, by organisation, each org's list
    /// sorted by decreasing ledger height with <paramref name="local"/> first among equals (the gateway's registry order).
    /// </summary>
    public Dictionary<string, List<DevPeerNode>> EndorsersByOrg(string channelId, string chaincode, DevPeerNode local)
    {
        var byOrg = new Dictionary<string, List<DevPeerNode>>(StringComparer.Ordinal);
        if (channelId != ChannelId || !(chaincode == BasicChaincode.Name || SystemChaincodes.Contains(chaincode)))
        {
            return byOrg;
        }

        foreach (var group in peers
            .OrderByDescending(p => p.Blocks.Height)
            .ThenBy(p => p == local ? 0 : 1)
            .GroupBy(p => p.Identity.MspId, StringComparer.Ordinal))
        {
            byOrg[group.Key] = group.ToList();
        }

        return byOrg;
    }
}
