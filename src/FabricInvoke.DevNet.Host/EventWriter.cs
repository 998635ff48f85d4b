using System.Text.Json;
using FabricInvoke.DevNet.Host.Protocol;

namespace FabricInvoke.DevNet.Host;

/// <summary>Writes <see cref="HostEvent"/>s to the parent, one JSON object per line, from any thread.</summary>
internal sealed class EventWriter(Stream output)
{
    private readonly Lock _gate = new();

    /// <summary>Writes and flushes one event. A parent that has gone away (broken pipe) is not an error: nobody is left to tell.</summary>
    public void Write(HostEvent e)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(e, HostEventJson.Default.HostEvent);
        lock (_gate)
        {
            try
            {
                output.Write(line);
                output.WriteByte((byte)'\n');
                output.Flush();
            }
            catch (IOException)
            {
                // The parent closed its end; the stdin watcher stops the network.
            }
        }
    }
}
