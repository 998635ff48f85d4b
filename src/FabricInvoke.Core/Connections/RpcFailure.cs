using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;

namespace FabricInvoke.Core.Connections;

/// <summary>Turns gRPC/transport exceptions into one short, human line and tells connect failures apart.</summary>
internal static class RpcFailure
{
    /// <summary>True when the call never reached the node's gRPC service: refused, unresolvable, TLS handshake, connect timeout.</summary>
    public static bool IsConnectFailure(RpcException e)
    {
        if (e.StatusCode != StatusCode.Unavailable && e.StatusCode != StatusCode.Internal)
        {
            return false;
        }

        for (Exception? inner = e.InnerException ?? e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException or SocketException or AuthenticationException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A one-line description: the deepest meaningful cause for transport errors, the status detail otherwise.</summary>
    public static string Describe(RpcException e)
    {
        if (IsConnectFailure(e))
        {
            return DescribeTransport(e.InnerException ?? e.Status.DebugException!);
        }

        var detail = string.IsNullOrEmpty(e.Status.Detail) ? e.StatusCode.ToString() : e.Status.Detail;
        return $"rpc error: code = {e.StatusCode} desc = {OneLine(detail)}";
    }

    public static string DescribeTransport(Exception e)
    {
        string? tls = null;
        string? socket = null;
        string? timeout = null;
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case AuthenticationException a:
                    tls ??= a.Message;
                    break;
                case SocketException s:
                    socket ??= s.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                        SocketError.TimedOut => "connection timed out",
                        SocketError.ConnectionReset => "connection reset by peer",
                        _ => s.Message,
                    };
                    break;
                case TimeoutException:
                    timeout ??= "connection timed out (connTimeout)";
                    break;
            }
        }

        if (tls is not null)
        {
            return $"TLS handshake failed: {OneLine(tls)}";
        }

        if (timeout is not null)
        {
            return timeout;
        }

        if (socket is not null)
        {
            return socket;
        }

        var last = e;
        while (last.InnerException is not null)
        {
            last = last.InnerException;
        }

        return OneLine(last.Message);
    }

    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
