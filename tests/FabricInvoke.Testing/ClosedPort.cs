using System.Net;
using System.Net.Sockets;

namespace FabricInvoke.Testing;

/// <summary>A loopback address where nothing listens: bound to port 0, read back, released.</summary>
public static class ClosedPort
{
    public static string Address()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }
}
