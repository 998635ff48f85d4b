using Grpc.Core;

namespace FabricInvoke.Core.Connections;

/// <summary>Writing to a streaming call whose transport failed.</summary>
internal static class StreamWrites
{
    /// <summary>
    /// Writes one message. When the call has already failed (refused connection, TLS handshake, reset), the write
    /// only says "cancelled" or "call completed"; the real reason is the call's status, which the next read surfaces
    /// as an <see cref="RpcException"/>. So such a write failure is swallowed and the caller's read reports it.
    /// </summary>
    /// <returns>false when the write did not go through.</returns>
    public static async Task<bool> TryWriteAsync<T>(IClientStreamWriter<T> writer, T message, CancellationToken cancellationToken)
    {
        try
        {
            await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsTransportGone(e))
        {
            return false;
        }
    }

    /// <summary>Half-closes the request stream, ignoring a call that has already ended.</summary>
    public static async Task TryCompleteAsync<T>(IClientStreamWriter<T> writer)
    {
        try
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportGone(e))
        {
            // The read that follows reports why the call ended.
        }
    }

    /// <summary>
    /// Reads the next message of a streaming call. If the call already ended because its transport failed, the
    /// read may surface as a bare cancellation; this turns it back into the call's real status.
    /// </summary>
    /// <exception cref="RpcException">The call failed; its status says why (connect failures keep their cause; a connect timeout is Unavailable).</exception>
    public static async Task<bool> MoveNextAsync<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && !cancellationToken.IsCancellationRequested
                                     && RpcFailure.AsConnectTimeout(e) is { } timedOut)
        {
            throw timedOut;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (RpcFailure.AsConnectTimeout(e) is { } timedOut)
            {
                throw timedOut;
            }

            Status status;
            try
            {
                status = call.GetStatus();
            }
            catch (InvalidOperationException)
            {
                status = new Status(StatusCode.Unavailable, "the call was cancelled by the transport");
            }

            throw RpcFailure.AsConnectTimeout(new RpcException(status)) ?? new RpcException(status);
        }
    }

    /// <summary>What a write or half-close throws on a call whose connection failed or ended (HttpIOException included).</summary>
    private static bool IsTransportGone(Exception e) =>
        e is OperationCanceledException or InvalidOperationException or RpcException or IOException or HttpRequestException;
}
