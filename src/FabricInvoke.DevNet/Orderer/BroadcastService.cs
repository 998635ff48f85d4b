using FabricInvoke.DevNet.Hosting;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using Google.Protobuf;
using Grpc.Core;

using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Orderer;

/// <summary>
/// The orderer's <c>orderer.AtomicBroadcast</c> service. Broadcast answers one BroadcastResponse per envelope with the
/// statuses and info texts a Fabric v2.4 orderer without system channel gives; Deliver serves the orderer's chain.
/// </summary>
internal sealed class BroadcastService(DevOrdererNode orderer, OrdererFrontend frontend, Ledger.DeliverHandler deliver, NodeLifetime lifetime) : AtomicBroadcast.AtomicBroadcastBase
{
    /// <summary>The orderer's answer when the channel's Writers policy is not met (bad signature, foreign MSP, high-S …).</summary>
    public const string WritersPolicyFailure =
        "implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied: permission denied";

    public override async Task Broadcast(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<BroadcastResponse> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        var cancellationToken = linked.Token;
        try
        {
            while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var faults = frontend.Faults;
                if (faults.BroadcastDelay is var delay && delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }

                var txId = orderer.Timings is { } timings ? Timed(timings, requestStream.Current) : null;
                var response = faults.TakeBroadcastStatus() is { } injected
                    ? new BroadcastResponse { Status = injected, Info = faults.BroadcastInfo }
                    : Accept(requestStream.Current, faults.ForwardDelay);
                await responseStream.WriteAsync(response, cancellationToken).ConfigureAwait(false);
                if (txId is not null)
                {
                    orderer.Timings?.Answered(txId, frontend.Name, response.Status);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Client gone or network stopping.
        }
    }

    public override async Task Deliver(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        await deliver.HandleAsync(requestStream, new Sink(responseStream), context, linked.Token).ConfigureAwait(false);
    }

    /// <summary>Checks an envelope like the orderer's normal-message processor and queues it when acceptable.</summary>
    private BroadcastResponse Accept(Envelope envelope, TimeSpan forwardDelay)
    {
        Payload payload;
        ChannelHeader channelHeader;
        SignatureHeader signatureHeader;
        try
        {
            payload = Payload.Parser.ParseFrom(envelope.Payload);
        }
        catch (InvalidProtocolBufferException)
        {
            return BadRequest("could not determine channel ID: error unmarshalling Payload: unexpected EOF");
        }

        if (payload.Header is null)
        {
            return BadRequest("could not determine channel ID: no header was set");
        }

        try
        {
            channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
        }
        catch (InvalidProtocolBufferException)
        {
            return BadRequest("could not determine channel ID: error unmarshalling channel header: unexpected EOF");
        }

        if (channelHeader.ChannelId != orderer.ChannelId)
        {
            return BadRequest("channel creation request not allowed because the orderer system channel is not defined");
        }

        if ((HeaderType)channelHeader.Type != HeaderType.EndorserTransaction)
        {
            return BadRequest($"message of type {(HeaderType)channelHeader.Type} is not accepted by DevNet");
        }

        if (orderer.Unavailable is { } problem)
        {
            // What a Fabric orderer answers while its consenter is not ready to order (WaitReady failing).
            return new BroadcastResponse { Status = Status.ServiceUnavailable, Info = $"{frontend.Name} {problem}" };
        }

        try
        {
            signatureHeader = SignatureHeader.Parser.ParseFrom(payload.Header.SignatureHeader);
        }
        catch (InvalidProtocolBufferException)
        {
            return new BroadcastResponse { Status = Status.Forbidden, Info = WritersPolicyFailure };
        }

        var creator = orderer.Msp.Check(signatureHeader.Creator).Identity;
        if (creator is null || !creator.Verify(envelope.Payload.Span, envelope.Signature.Span))
        {
            return new BroadcastResponse { Status = Status.Forbidden, Info = WritersPolicyFailure };
        }

        if (forwardDelay > TimeSpan.Zero)
        {
            // A BFT follower: it has the request and answers at once; it is ordered when forwarded (unless another orderer handed it on first).
            var bytes = envelope.ToByteString();
            var txId = channelHeader.TxId;
            _ = Task.Delay(forwardDelay, lifetime.Stopping).ContinueWith(
                t => orderer.Enqueue(bytes, txId), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            return new BroadcastResponse { Status = Status.Success };
        }

        return orderer.Enqueue(envelope.ToByteString(), channelHeader.TxId)
            ? new BroadcastResponse { Status = Status.Success }
            : new BroadcastResponse { Status = Status.ServiceUnavailable, Info = $"{frontend.Name} is stopping" };
    }

    /// <summary>Records the envelope's arrival (devnet up --timings) and returns its txid, or null when it has none.</summary>
    private string? Timed(Hosting.TransactionTimings timings, Envelope envelope)
    {
        try
        {
            var header = Payload.Parser.ParseFrom(envelope.Payload).Header;
            var txId = header is null ? null : ChannelHeader.Parser.ParseFrom(header.ChannelHeader).TxId;
            if (!string.IsNullOrEmpty(txId))
            {
                timings.Received(txId, frontend.Name);
                return txId;
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // Accept answers it BAD_REQUEST; nothing to time.
        }

        return null;
    }

    private static BroadcastResponse BadRequest(string info) => new() { Status = Status.BadRequest, Info = info };

    private sealed class Sink(IServerStreamWriter<DeliverResponse> stream) : Ledger.IDeliverSink
    {
        public Task SendBlockAsync(Block block, CancellationToken cancellationToken) => stream.WriteAsync(new DeliverResponse { Block = block }, cancellationToken);

        public Task SendStatusAsync(Status status, CancellationToken cancellationToken) => stream.WriteAsync(new DeliverResponse { Status = status }, cancellationToken);
    }
}
