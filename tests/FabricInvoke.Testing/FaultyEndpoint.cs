using System.Net;
using System.Net.Sockets;

namespace FabricInvoke.Testing;

/// <summary>How a <see cref="FaultyEndpoint"/> misbehaves.</summary>
public enum EndpointFault
{
    /// <summary>Listening but never accepting: the kernel completes the TCP handshake into the backlog, and nothing
    /// ever answers (no TLS ServerHello) — a black hole as far as the client can tell.</summary>
    BlackHole,

    /// <summary>Accepts each connection and then never sends a byte (a frozen node).</summary>
    Freeze,

    /// <summary>Accepts each connection and resets it at once (RST): connection reset by peer.</summary>
    Reset,
}

/// <summary>
/// A loopback node that misbehaves in one way (<see cref="EndpointFault"/>), on a port of its own (bound to 0). Counts
/// the connections it accepted (not for <see cref="EndpointFault.BlackHole"/>, which accepts none).
/// </summary>
public sealed class FaultyEndpoint : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _acceptedCount;

    public FaultyEndpoint(EndpointFault fault)
    {
        Fault = fault;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Address = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}";
        _acceptLoop = fault == EndpointFault.BlackHole ? Task.CompletedTask : AcceptAsync();
    }

    public EndpointFault Fault { get; }

    /// <summary>host:port.</summary>
    public string Address { get; }

    /// <summary>How many connections it accepted.</summary>
    public int Accepted => Volatile.Read(ref _acceptedCount);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                Interlocked.Increment(ref _acceptedCount);
                if (Fault == EndpointFault.Reset)
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Dispose();
                    continue;
                }

                lock (_accepted)
                {
                    _accepted.Add(socket);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        lock (_accepted)
        {
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }
        }

        _stop.Dispose();
    }
}
