using System.Net.Sockets;
using System.Security.Authentication;
using FabricInvoke.Core.Errors;
using Grpc.Core;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// Tells connect failures (the call never reached the node's gRPC service: refused, unresolvable, TLS handshake,
/// connect timeout) apart from failures a node answered, for unary and streaming calls alike, and words them as one
/// short line.
/// </summary>
internal static class RpcFailure
{
    /// <summary>
    /// The status a connect timeout is reported with, whatever shape the transport gave it; the parenthesis names the
    /// setting in the library's terms (a front end may put its own, <see cref="ConnectTimeoutPhrase"/>).
    /// </summary>
    public const string ConnectTimedOut = "connection timed out " + ConnectTimeoutPhrase;

    /// <summary>The setting a connect timeout is about, as <see cref="ConnectTimedOut"/> names it.</summary>
    public const string ConnectTimeoutPhrase = "(connect timeout)";

    /// <summary>The setting a request's missing answer is about, in the library's terms (a front end may put its own).</summary>
    public const string RequestTimeoutPhrase = "(request timeout)";

    /// <summary>True when the call never reached the node's gRPC service.</summary>
    public static bool IsConnectFailure(RpcException e)
    {
        if (e.StatusCode is not (StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled))
        {
            return false;
        }

        foreach (var inner in Causes(e.InnerException ?? e.Status.DebugException))
        {
            // HttpIOException: the connection closed before HTTP/2 was up (e.g. a TLS 1.3 server refusing the client certificate).
            if (inner is HttpRequestException or SocketException or AuthenticationException or TimeoutException or HttpIOException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the failure is a TLS handshake refusal (not worth retrying: a certificate does not get better).</summary>
    public static bool IsTls(RpcException e) => Causes(e.InnerException ?? e.Status.DebugException).Any(c => c is AuthenticationException);

    /// <summary>
    /// SocketsHttpHandler reports its ConnectTimeout (e.g. a TCP peer that never completes the TLS handshake) as a
    /// cancellation wrapping a <see cref="TimeoutException"/>, and a streaming call may surface it as a bare
    /// cancellation or a Cancelled status. Callers would take that for a passed deadline or a user's Ctrl-C; this
    /// returns it as the Unavailable connect failure it is, or null when <paramref name="e"/> is something else.
    /// </summary>
    public static RpcException? AsConnectTimeout(Exception e)
    {
        var causes = e is RpcException rpc ? Causes(rpc.InnerException ?? rpc.Status.DebugException) : Causes(e);
        return causes.Any(c => c is TimeoutException)
            ? new RpcException(new Status(StatusCode.Unavailable, ConnectTimedOut, e))
            : null;
    }

    /// <summary>A one-line description: the deepest meaningful cause for transport errors, the status detail otherwise.</summary>
    /// <param name="connection">The connection the call used: its certificate check knows why a handshake was refused.</param>
    public static string Describe(RpcException e, NodeConnection? connection = null)
    {
        if (IsConnectFailure(e))
        {
            return DescribeTransport(e.InnerException ?? e.Status.DebugException!, connection);
        }

        var detail = string.IsNullOrEmpty(e.Status.Detail) ? e.StatusCode.ToString() : e.Status.Detail;
        return $"rpc error: code = {e.StatusCode} desc = {Text.OneLine(detail)}";
    }

    /// <summary>
    /// True when the call failed because the node wants a TLS client certificate and none was configured
    /// (<see cref="NodeConnection.ClientCertificateRefusal"/>): worth no retry, and worth telling how to give one.
    /// </summary>
    public static bool NeedsClientCertificate(RpcException e, NodeConnection? connection) =>
        IsConnectFailure(e) && ClientCertificateRefusal(e.InnerException ?? e.Status.DebugException, connection) is not null;

    /// <summary>
    /// The connection's <see cref="NodeConnection.ClientCertificateRefusal"/>, unless the failure is one a missing
    /// client certificate cannot cause: a timeout, or a TCP connect that failed (refused, host not found, unreachable)
    /// — a node that asked for a certificate before and has stopped since, say.
    /// </summary>
    private static string? ClientCertificateRefusal(Exception? cause, NodeConnection? connection) =>
        connection?.ClientCertificateRefusal is { } noClientCertificate && !Causes(cause).Any(c => c is TimeoutException || IsTcpConnectFailure(c))
            ? noClientCertificate
            : null;

    private static bool IsTcpConnectFailure(Exception e) => e is SocketException
    {
        SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain
            or SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.TimedOut
            or SocketError.AddressNotAvailable,
    };

    private static string DescribeTransport(Exception e, NodeConnection? connection)
    {
        if (ClientCertificateRefusal(e, connection) is { } noClientCertificate)
        {
            return noClientCertificate;
        }

        string? tls = null;
        string? socket = null;
        string? timeout = null;
        foreach (var inner in Causes(e))
        {
            switch (inner)
            {
                case AuthenticationException a:
                    tls ??= connection?.TlsRefusal ?? a.Message;
                    break;
                case SocketException s:
                    socket ??= s.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                        SocketError.TimedOut => "connection timed out",
                        SocketError.ConnectionReset => "connection reset by peer",
                        SocketError.NetworkUnreachable => "network is unreachable",
                        SocketError.HostUnreachable => "no route to host",
                        _ => s.Message,
                    };
                    break;
                case TimeoutException:
                    timeout ??= ConnectTimedOut;
                    break;
                case HttpIOException:
                    // The client-certificate hint only where it can be the reason (D18: a node killed mid-commit drew it).
                    socket ??= connection is { Endpoint.UseTls: true, HasClientCertificate: false }
                        ? "the server closed the connection before HTTP/2 was set up (a server that requires a TLS client certificate does this when none is presented; so does a node that stopped)"
                        : "the server closed the connection before HTTP/2 was set up";
                    break;
                case ObjectDisposedException when connection?.Endpoint.UseTls == true:
                case IOException io when connection?.Endpoint.UseTls == true && io.InnerException is not SocketException:
                    // The TLS stream closed under the handshake; .NET's own words ("Cannot access a disposed object.
                    // Object name: 'System.Net.Security.SslStream'.") would only puzzle.
                    socket ??= "the server closed the TLS session during the handshake";
                    break;
            }
        }

        if (tls is not null)
        {
            return $"TLS handshake failed: {FirstLine(tls)}";
        }

        return timeout ?? socket ?? FirstLine(Causes(e).Last().Message);
    }

    /// <summary>
    /// A .NET exception's text as one line: its first line only (the rest, such as "Object name: …", is detail for a
    /// developer), never a newline escaped into the message.
    /// </summary>
    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return Text.OneLine((end < 0 ? message : message[..end]).Trim());
    }

    private static IEnumerable<Exception> Causes(Exception? e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            yield return inner;
        }
    }
}
