using System.Text;

namespace FabricInvoke.DevNet.Storage;

/// <summary>
/// <c>DIR/devnet.env</c>: the exports a user sources to point fabinvoke (or the peer CLI) at a running attachable
/// network as Org1 User1, plus FABINVOKE_PEERS (every peer's --peerAddresses/--tlsRootCertFiles). Every value is
/// single-quoted for the shell; written atomically and removed when the network stops.
/// </summary>
internal static class DevNetEnvironmentFile
{
    public const string FileName = "devnet.env";

    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static string Write(string directory, PublishedNetwork network)
    {
        var user = network.Users[(1, "User1")];
        var peer = network.Peers[0];
        var text = new StringBuilder()
            .Append("# fabinvoke DevNet: source this file to act as User1 of Org1.\n")
            .Append("# Written by process ").Append(network.ProcessId)
            .Append(" (fabinvoke devnet up); valid only while it runs, and removed when it stops.\n");
        Export(text, "CORE_PEER_LOCALMSPID", user.MspId);
        Export(text, "CORE_PEER_MSPCONFIGPATH", user.MspDirectory);
        Export(text, "CORE_PEER_TLS_ENABLED", "true");
        Export(text, "CORE_PEER_ADDRESS", peer.Address);
        Export(text, "CORE_PEER_TLS_ROOTCERT_FILE", peer.TlsRootCertFile);
        Export(text, "ORDERER_ADDRESS", network.Orderer.Address);
        Export(text, "ORDERER_CA", network.Orderer.TlsRootCertFile);
        if (network.RequireClientTls)
        {
            Export(text, "CORE_PEER_TLS_CLIENTAUTHREQUIRED", "true");
            Export(text, "CORE_PEER_TLS_CLIENTCERT_FILE", user.TlsCertFile);
            Export(text, "CORE_PEER_TLS_CLIENTKEY_FILE", user.TlsKeyFile);
        }

        // Used unquoted ($FABINVOKE_PEERS) so the shell splits it into flags: that cannot carry a path with spaces.
        var peers = string.Join(' ', network.Peers.Select(p => $"--peerAddresses {p.Address} --tlsRootCertFiles {p.TlsRootCertFile}"));
        if (network.Peers.Any(p => p.TlsRootCertFile.Any(char.IsWhiteSpace)))
        {
            text.Append("# The folder's path contains white space, so $FABINVOKE_PEERS cannot be split into flags safely.\n");
        }

        Export(text, "FABINVOKE_PEERS", peers);
        var path = Path.Combine(directory, FileName);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(text.ToString()));
        return path;
    }

    /// <summary>POSIX shell single quoting: everything literal, a quote itself as <c>'\''</c>.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void Export(StringBuilder text, string name, string value) =>
        text.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
}
