using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FabricInvoke.Testing;

/// <summary>
/// A loopback address where nothing listens and nothing will: a socket is bound to a free port but never listens, so a
/// connection is refused, and the socket is kept for the life of the test process so no other test (or server bound
/// to port 0) can be given that port meanwhile.
/// </summary>
public static class ClosedPort
{
    private static readonly ConcurrentBag<Socket> Held = [];

    public static string Address()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Held.Add(socket);
        return $"127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}";
    }
}
