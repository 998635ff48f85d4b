using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Peer;

/// <summary>The peer's <c>protos.Deliver</c> service: full blocks (Deliver) and filtered blocks (DeliverFiltered).</summary>
internal sealed class PeerDeliverService(DevPeerNode peer, DeliverHandler handler, NodeLifetime lifetime) : Deliver.DeliverBase
{
    public override async Task Deliver(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        await handler.HandleAsync(requestStream, new Sink(responseStream, block => new DeliverResponse { Block = block }), context, linked.Token).ConfigureAwait(false);
    }

    public override async Task DeliverFiltered(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        var sink = new Sink(responseStream, block => new DeliverResponse { FilteredBlock = FilteredBlocks.From(block, peer.ChannelId) });
        await handler.HandleAsync(requestStream, sink, context, linked.Token).ConfigureAwait(false);
    }

    private sealed class Sink(IServerStreamWriter<DeliverResponse> stream, Func<Block, DeliverResponse> toResponse) : IDeliverSink
    {
        public Task SendBlockAsync(Block block, CancellationToken cancellationToken) => stream.WriteAsync(toResponse(block), cancellationToken);

        public Task SendStatusAsync(Status status, CancellationToken cancellationToken) => stream.WriteAsync(new DeliverResponse { Status = status }, cancellationToken);
    }
}
