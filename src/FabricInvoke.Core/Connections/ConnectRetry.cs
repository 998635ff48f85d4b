using System.Diagnostics;
using System.Security.Authentication;
using Grpc.Core;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// Retries a call whose connection could not be established, with bounded exponential backoff, for as long as
/// the connect timeout allows — as the Go CLI's blocking dial keeps trying until its deadline. TLS failures are
/// not retried: a certificate that does not verify will not verify a moment later.
/// </summary>
internal static class ConnectRetry
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(800);

    /// <exception cref="RpcException">The last attempt's failure when the time is up (or a failure that is not a connect failure).</exception>
    public static async Task<T> RunAsync<T>(Func<Task<T>> attempt, NodeConnection connection, CancellationToken cancellationToken)
    {
        var connectTimeout = connection.ConnectTimeout;
        var started = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (RpcException e) when (RpcFailure.IsConnectFailure(e) && !IsTls(e)
                                         && Stopwatch.GetElapsedTime(started) + delay < connectTimeout)
            {
                connection.OnRetry?.Invoke(new RetryNotice(connection.Role, connection.Address, RpcFailure.Describe(e), delay));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && IsConnectTimeout(e))
            {
                // SocketsHttpHandler reports its ConnectTimeout (e.g. a TLS handshake never answered) as a cancellation
                // wrapping a TimeoutException, and the channel passes that on as is. Callers would take it for a
                // passed request deadline; as the connect failure it is, they name the node and exit "connection".
                throw new RpcException(new Status(StatusCode.Unavailable, "connection timed out (connTimeout)", e));
            }
        }
    }

    private static bool IsConnectTimeout(OperationCanceledException e)
    {
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTls(RpcException e)
    {
        for (Exception? inner = e.InnerException ?? e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }
}
