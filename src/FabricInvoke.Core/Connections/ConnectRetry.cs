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

    /// <exception cref="RpcException">
    /// The last attempt's failure when the time is up (connect timeouts always as Unavailable), or a failure that is
    /// not a connect failure.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<T> RunAsync<T>(Func<Task<T>> attempt, NodeConnection connection, CancellationToken cancellationToken)
    {
        var time = connection.Time;
        var started = time.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (RpcException e) when (RpcFailure.IsConnectFailure(e) && !RpcFailure.IsTls(e) && !RpcFailure.NeedsClientCertificate(e, connection)
                                         && RpcFailure.AsConnectTimeout(e) is null
                                         && time.GetElapsedTime(started) + delay < connection.ConnectTimeout)
            {
                connection.Observer.Retrying(new RetryNotice(connection.Role, connection.Address, RpcFailure.Describe(e, connection), delay));
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled }
                                      && !cancellationToken.IsCancellationRequested
                                      && RpcFailure.AsConnectTimeout(e) is { } timedOut)
            {
                throw timedOut;
            }
        }
    }
}
