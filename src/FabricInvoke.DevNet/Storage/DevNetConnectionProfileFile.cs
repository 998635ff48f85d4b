using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FabricInvoke.DevNet.Storage;

/// <summary>
/// <c>DIR/connection-profile.yaml</c>: the running attachable network as a Fabric common connection profile (the form
/// the Fabric SDKs and <c>fabinvoke --connectionProfile</c> read): every peer with its organisation, every role on the
/// channel, the orderer, TLS roots as paths relative to the profile's folder. Written atomically and removed when the
/// network stops, like devnet.env.
/// </summary>
internal static class DevNetConnectionProfileFile
{
    public const string FileName = "connection-profile.yaml";

    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static string Write(string directory, PublishedNetwork network)
    {
        var orgs = network.Peers.GroupBy(p => p.MspId).ToList();
        var user = network.Users[(1, "User1")];
        var text = new StringBuilder()
            .Append("# fabinvoke DevNet as a Fabric connection profile; written by process ").Append(network.ProcessId)
            .Append(" (fabinvoke devnet up), valid only while it runs.\n")
            .Append("name: fabinvoke-devnet\nversion: 1.0.0\nclient:\n  organization: ").Append(Q(OrgName(user.MspId))).Append('\n')
            .Append("organizations:\n");
        foreach (var org in orgs)
        {
            text.Append("  ").Append(Q(OrgName(org.Key))).Append(":\n    mspid: ").Append(Q(org.Key)).Append("\n    peers:\n");
            foreach (var peer in org)
            {
                text.Append("      - ").Append(Q(peer.Name)).Append('\n');
            }
        }

        text.Append("peers:\n");
        foreach (var peer in network.Peers)
        {
            Node(text, directory, peer);
        }

        text.Append("orderers:\n");
        Node(text, directory, network.Orderer);
        text.Append("channels:\n  ").Append(Q(network.ChannelId)).Append(":\n    orderers:\n      - ").Append(Q(network.Orderer.Name)).Append("\n    peers:\n");
        foreach (var peer in network.Peers)
        {
            text.Append("      ").Append(Q(peer.Name)).Append(":\n        endorsingPeer: true\n        chaincodeQuery: true\n        ledgerQuery: true\n        eventSource: true\n");
        }

        var path = Path.Combine(directory, FileName);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(text.ToString()));
        return path;
    }

    private static void Node(StringBuilder text, string directory, DevNetEndpoint node) =>
        text.Append("  ").Append(Q(node.Name)).Append(":\n    url: ").Append(Q("grpcs://" + node.Address))
            .Append("\n    tlsCACerts:\n      path: ").Append(Q(Path.GetRelativePath(directory, node.TlsRootCertFile))).Append('\n');

    /// <summary>"Org1MSP" → "Org1", as Fabric's samples name organisations.</summary>
    private static string OrgName(string mspId) => mspId.EndsWith("MSP", StringComparison.Ordinal) && mspId.Length > 3 ? mspId[..^3] : mspId;

    /// <summary>A YAML double-quoted scalar: JSON's string escapes are all valid YAML escapes.</summary>
    private static string Q(string value) => "\"" + JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\"";
}
