using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using Microsoft.Extensions.Configuration;
using static FabricInvoke.Cli.Settings.SettingValues;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// What every command that talks to peers binds the same way (<c>chaincode invoke</c>, <c>chaincode query</c>,
/// <c>events</c>): the peers, the transport to them (<c>--connTimeout</c> / CORE_PEER_CLIENT_CONNTIMEOUT, mutual TLS)
/// and the signing identity, from flags, then the CORE_PEER_* variables, then a connection profile's values.
/// </summary>
internal static class PeerSettingsBinder
{
    private const string MutualTls = "mutual TLS with peers (CORE_PEER_TLS_CLIENTAUTHREQUIRED=true)";

    /// <summary>The bound on each connection: <c>--connTimeout</c>, else CORE_PEER_CLIENT_CONNTIMEOUT, else the row's default.</summary>
    /// <exception cref="FabricInvokeException">Usage: the variable is not a Go duration within the bounds.</exception>
    public static TimeSpan ConnectTimeout(TimeSpan? flag, IConfiguration env) =>
        flag ?? T.ConnTimeout.FromEnvironment(env) ?? T.ConnTimeout.DefaultValue!.Value;

    /// <summary>The client certificate for mutual TLS with peers (CORE_PEER_TLS_CLIENTAUTHREQUIRED=true), else null.</summary>
    /// <exception cref="FabricInvokeException">Usage (not a boolean) or Config (a file variable is not set).</exception>
    public static ClientCertificateFiles? PeerClientCertificate(IConfiguration env) =>
        Bool(env, T.ClientAuthRequired)
            ? new ClientCertificateFiles(FullPath(RequiredEnv(env, T.ClientCertFile, MutualTls)), FullPath(RequiredEnv(env, T.ClientKeyFile, MutualTls)))
            : null;

    /// <summary>The signing identity: CORE_PEER_LOCALMSPID (else the profile's client organisation) and CORE_PEER_MSPCONFIGPATH.</summary>
    /// <exception cref="FabricInvokeException">Config: a variable is not set.</exception>
    public static (string MspId, string MspPath) BindIdentity(IConfiguration env, ProfileBinding? profile) =>
        (Env(env, T.MspId) ?? profile?.Profile.ClientMspId ?? RequiredEnv(env, T.MspId, "the MSP id of the signing identity"),
         FullPath(RequiredEnv(env, T.MspConfigPath, "the MSP folder of the signing identity")));

    /// <summary>
    /// The peers from --peerAddresses/--tlsRootCertFiles, else the connection profile's peers for
    /// <paramref name="role"/> (and, for an invoke, the ones to wait on) when one is named, else
    /// CORE_PEER_ADDRESS/CORE_PEER_TLS_ROOTCERT_FILE. A profile is named explicitly, so the CORE_PEER_* variables that
    /// describe one peer (which every Fabric sample's environment script exports) do not replace its peers; flags do.
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
    internal static void RefuseDuplicates(IReadOnlyList<NodeEndpoint> nodes, string role, string source)
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
}
