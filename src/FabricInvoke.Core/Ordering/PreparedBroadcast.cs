using FabricInvoke.Core.Connections;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using Grpc.Core;

namespace FabricInvoke.Core.Ordering;

/// <summary>
/// A Broadcast stream to the first orderer, opened before the transaction exists, so that the TCP connect, TLS
/// handshake and HTTP/2 set-up happen while the peers endorse (the peer CLI, too, opens its broadcast stream before
/// it endorses). Nothing is written to it until the broadcaster's SubmitAsync takes it; disposing it (an
/// endorsement failed, Ctrl-C) resets the stream at once, and the orderer has seen no envelope.
/// </summary>
internal sealed class PreparedBroadcast : IDisposable
{
    private readonly CancellationTokenSource _lifetime;
    private AsyncDuplexStreamingCall<Envelope, BroadcastResponse>? _call;

    private PreparedBroadcast(OrdererNode orderer, AsyncDuplexStreamingCall<Envelope, BroadcastResponse> call, CancellationTokenSource lifetime, long openedAt)
    {
        Orderer = orderer;
        _call = call;
        _lifetime = lifetime;
        OpenedAt = openedAt;
    }

    /// <summary>The orderer the stream goes to (the first one given).</summary>
    public OrdererNode Orderer { get; }

    /// <summary>The clock's timestamp when the stream was opened: the orderer connection's set-up counts from it.</summary>
    internal long OpenedAt { get; }

    /// <summary>
    /// Starts the call (the HTTP/2 request, and with it the connection) without a deadline: the request timeout
    /// runs from the moment the envelope is written, as for a call opened then. Never throws for network failures: a stream that could not be
    /// opened reports why when it is used, and the broadcast then connects again as usual.
    /// </summary>
    /// <param name="cancellationToken">Cancelling it (the endorsement failed, Ctrl-C) resets the stream.</param>
    public static PreparedBroadcast? Open(IReadOnlyList<OrdererNode> orderers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderers);
        if (orderers.Count == 0)
        {
            return null;
        }

        var orderer = orderers[0];
        var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var openedAt = orderer.Connection.Time.GetTimestamp();
        var call = orderer.Calls.AsyncDuplexStreamingCall(FabricCalls.Broadcast, null, new CallOptions(cancellationToken: lifetime.Token));
        return new PreparedBroadcast(orderer, call, lifetime, openedAt);
    }

    /// <summary>
    /// Hands the opened call over, once, to be written to (the caller disposes it and bounds its reads with the
    /// request timeout, since the call itself has no deadline). Null when it was already taken.
    /// </summary>
    internal AsyncDuplexStreamingCall<Envelope, BroadcastResponse>? Take() => Interlocked.Exchange(ref _call, null);

    public void Dispose()
    {
        _lifetime.Cancel();
        Interlocked.Exchange(ref _call, null)?.Dispose();
        _lifetime.Dispose();
    }
}
