using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using Microsoft.Extensions.Configuration;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Settings;

/// <summary>Which of a connection profile's peers a command uses.</summary>
internal enum ProfileRole
{
    /// <summary>An invoke: endorse on the endorsingPeers, wait on the eventSource peers.</summary>
    Invoke,

    /// <summary>A query: the chaincodeQuery peers.</summary>
    Query,

    /// <summary>An event stream: the eventSource peers.</summary>
    Events,
}

/// <summary>
/// The connection profile's part in binding (--connectionProfile, else FABINVOKE_CONNECTION_PROFILE): flags win over
/// it, whole lists at a time — any --peerAddresses replaces its peers, any -o its orderers; --cafile and
/// --ordererTLSHostnameOverride (with --tls) its orderers' TLS root and host name. The CORE_PEER_* variables that
/// describe one peer (address, TLS root, host name override) do not: the profile was named on purpose.
/// </summary>
internal sealed class ProfileBinding
{
    private ProfileBinding(ConnectionProfile profile, ProfileSelection selection, string channel)
    {
        Profile = profile;
        Selection = selection;
        Channel = channel;
    }

    public ConnectionProfile Profile { get; }

    public ProfileSelection Selection { get; }

    private string Channel { get; }

    /// <summary>The profile named by the flag or the variable, read and checked; null when neither names one.</summary>
    /// <param name="mspId">The user's MSP id (CORE_PEER_LOCALMSPID), whose organisation's peers come first; else the profile's client organisation's.</param>
    /// <exception cref="FabricInvokeException">Config: the profile cannot be read or used, naming the file and the key path.</exception>
    public static ProfileBinding? Load(string? flag, IConfiguration env, string channel, string? mspId)
    {
        var file = string.IsNullOrWhiteSpace(flag) ? env[T.ConnectionProfile.Env!]?.Trim() : flag;
        if (string.IsNullOrEmpty(file))
        {
            return null;
        }

        string full;
        try
        {
            full = Path.GetFullPath(file);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Failures.Usage($"'{file}' is not a usable path for --connectionProfile ({e.Message})");
        }

        var profile = ConnectionProfile.Load(full);
        return new ProfileBinding(profile, profile.Select(channel, mspId ?? profile.ClientMspId), channel);
    }

    /// <summary>The peers for <paramref name="role"/> (and, for an invoke, the peers to wait on), as the profile states them.</summary>
    /// <exception cref="FabricInvokeException">Config: the profile gives no peer for the role on the channel.</exception>
    public (List<NodeEndpoint> Peers, List<NodeEndpoint>? DeliverPeers) Peers(ProfileRole role)
    {
        var (peers, roleName) = role switch
        {
            ProfileRole.Invoke => (Selection.EndorsingPeers, "endorsingPeer"),
            ProfileRole.Query => (Selection.QueryPeers, "chaincodeQuery"),
            _ => (Selection.EventPeers, "eventSource"),
        };
        if (peers.Count == 0)
        {
            throw Failures.ConnectionProfile(Profile.File, $"channels.{Channel}.peers", $"no peer with the role {roleName} on channel {Channel}");
        }

        if (role != ProfileRole.Invoke)
        {
            return (peers.ToList(), null);
        }

        // No eventSource peer: the endorsers are waited on, as without a profile.
        return (peers.ToList(), Selection.EventPeers.Count == 0 ? null : Selection.EventPeers.ToList());
    }

    /// <summary>The channel's orderers, with --cafile / --ordererTLSHostnameOverride applied when given.</summary>
    public List<NodeEndpoint> Orderers(string? caFile, string? hostOverride) =>
        Selection.Orderers.Select(o => o with
        {
            TlsRootCertFile = caFile ?? o.TlsRootCertFile,
            TlsRootPem = caFile is null ? o.TlsRootPem : null,
            ServerNameOverride = hostOverride ?? o.ServerNameOverride,
        }).ToList();
}
