using System.Text.Json;

namespace FabricInvoke.DevNet.Storage;

/// <summary>
/// <c>DIR/devnet.json</c>: a running attachable network's addresses, TLS roots and identities. Written atomically by
/// the owner once every node listens; removed when it stops. A reader trusts it only while the pid it names still owns
/// the folder (a SIGKILLed owner leaves a stale file behind, which the next owner removes).
/// </summary>
internal static class DevNetSummaryFile
{
    public const string FileName = "devnet.json";

    private const int MaxBytes = 1024 * 1024;

    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static string Write(string directory, PublishedNetwork network)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("pid", network.ProcessId);
            json.WriteString("channel", network.ChannelId);
            json.WriteString("organizations", network.OrganizationsDirectory);
            json.WriteBoolean("requireClientTls", network.RequireClientTls);
            json.WritePropertyName("orderer");
            WriteEndpoint(json, network.Orderer);
            json.WriteStartArray("peers");
            foreach (var peer in network.Peers)
            {
                WriteEndpoint(json, peer);
            }

            json.WriteEndArray();
            json.WriteStartArray("users");
            foreach (var ((org, user), identity) in network.Users.OrderBy(u => u.Key.Org).ThenBy(u => u.Key.User, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteNumber("org", org);
                json.WriteString("user", user);
                json.WriteString("mspId", identity.MspId);
                json.WriteString("mspDirectory", identity.MspDirectory);
                json.WriteString("tlsCertFile", identity.TlsCertFile);
                json.WriteString("tlsKeyFile", identity.TlsKeyFile);
                json.WriteString("tlsCaFile", identity.TlsCaFile);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        var path = Path.Combine(directory, FileName);
        AtomicFile.Write(path, stream.ToArray());
        return path;
    }

    /// <summary>
    /// The network published in <paramref name="directory"/> by process <paramref name="ownerProcessId"/>, or null
    /// when there is none, it is unreadable, or it was written by another (earlier) owner.
    /// </summary>
    public static PublishedNetwork? TryRead(string directory, int ownerProcessId)
    {
        try
        {
            using var json = JsonDocument.Parse(BoundedFileReader.Read(Path.Combine(directory, FileName), MaxBytes));
            var root = json.RootElement;
            var pid = root.GetProperty("pid").GetInt32();
            if (pid != ownerProcessId)
            {
                return null;
            }

            var users = new Dictionary<(int, string), DevIdentity>();
            foreach (var u in root.GetProperty("users").EnumerateArray())
            {
                users[(u.GetProperty("org").GetInt32(), Text(u, "user"))] = new DevIdentity(
                    Text(u, "mspId"), Text(u, "mspDirectory"), Text(u, "tlsCertFile"), Text(u, "tlsKeyFile"), Text(u, "tlsCaFile"));
            }

            return new PublishedNetwork(
                pid,
                Text(root, "channel"),
                Text(root, "organizations"),
                root.GetProperty("requireClientTls").GetBoolean(),
                ReadEndpoint(root.GetProperty("orderer")),
                root.GetProperty("peers").EnumerateArray().Select(ReadEndpoint).ToList(),
                users);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or JsonException
                                      or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static void WriteEndpoint(Utf8JsonWriter json, DevNetEndpoint endpoint)
    {
        json.WriteStartObject();
        json.WriteString("name", endpoint.Name);
        json.WriteString("mspId", endpoint.MspId);
        json.WriteString("address", endpoint.Address);
        json.WriteString("tlsRootCertFile", endpoint.TlsRootCertFile);
        json.WriteEndObject();
    }

    private static DevNetEndpoint ReadEndpoint(JsonElement e) =>
        new(Text(e, "name"), Text(e, "mspId"), Text(e, "address"), Text(e, "tlsRootCertFile"));

    private static string Text(JsonElement e, string name) =>
        e.GetProperty(name).GetString() is { Length: > 0 } text ? text : throw new InvalidDataException($"devnet.json: '{name}' is empty");
}
