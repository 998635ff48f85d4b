using System.Security.Cryptography;
using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>How one deliver stream sends what it has to send (full block, filtered block, orderer block…).</summary>
internal interface IDeliverSink
{
    Task SendBlockAsync(Block block, CancellationToken cancellationToken);

    Task SendStatusAsync(Status status, CancellationToken cancellationToken);
}

/// <summary>
/// Fabric's deliver protocol (common/deliver) over one node's <see cref="BlockStore"/>: each request is a signed
/// DELIVER_SEEK_INFO envelope; the handler checks it exactly like a peer (BAD_REQUEST / NOT_FOUND / FORBIDDEN),
/// streams the requested range, waits for future blocks under BLOCK_UNTIL_READY, then answers SUCCESS and waits for
/// the next seek on the same stream. Any non-SUCCESS status ends the stream normally.
/// </summary>
internal sealed class DeliverHandler(
    string channelId,
    MspRegistry msp,
    BlockStore blocks,
    Func<VerifiedIdentity, bool> isReader,
    bool requireClientTls,
    PeerFaults? faults,
    Hosting.TransactionTimings? timings = null,
    string? node = null)
{
    /// <summary>The accepted distance between the seek header timestamp and the node's clock (peer.authentication.timewindow).</summary>
    private static readonly TimeSpan TimeWindow = TimeSpan.FromMinutes(15);

    /// <summary>How long a stream doomed by <see cref="PeerFaults.DropDeliverAfterFirstBlock"/> lives after its first block.</summary>
    private static readonly TimeSpan DropGrace = TimeSpan.FromMilliseconds(250);

    public async Task HandleAsync(IAsyncStreamReader<Envelope> requests, IDeliverSink sink, ServerCallContext context, CancellationToken cancellationToken)
    {
        var stream = timings?.NextStream() ?? 0;
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                if (faults?.DeliverStatus is { } injected)
                {
                    if (faults.DeliverDelay is { } late && late > TimeSpan.Zero)
                    {
                        await Task.Delay(late, cancellationToken).ConfigureAwait(false);
                    }

                    await sink.SendStatusAsync(injected, cancellationToken).ConfigureAwait(false);
                    return;
                }

                var status = await DeliverBlocksAsync(requests.Current, sink, context, stream, cancellationToken).ConfigureAwait(false);
                if (status is null)
                {
                    return;
                }

                await sink.SendStatusAsync(status.Value, cancellationToken).ConfigureAwait(false);
                if (status != Status.Success)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the node is stopping: the stream just ends.
        }
    }

    /// <summary>Serves one seek; returns the closing status, or null when the stream was aborted by a fault.</summary>
    private async Task<Status?> DeliverBlocksAsync(Envelope envelope, IDeliverSink sink, ServerCallContext context, int stream, CancellationToken cancellationToken)
    {
        Payload payload;
        ChannelHeader channelHeader;
        SignatureHeader signatureHeader;
        SeekInfo seekInfo;
        try
        {
            payload = Payload.Parser.ParseFrom(envelope.Payload);
            if (payload.Header is null)
            {
                return Status.BadRequest;
            }

            channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
            signatureHeader = SignatureHeader.Parser.ParseFrom(payload.Header.SignatureHeader);
            seekInfo = SeekInfo.Parser.ParseFrom(payload.Data);
        }
        catch (InvalidProtocolBufferException)
        {
            return Status.BadRequest;
        }

        if (channelHeader.Timestamp is null || (channelHeader.Timestamp.ToDateTimeOffset() - DateTimeOffset.UtcNow).Duration() > TimeWindow)
        {
            return Status.BadRequest;
        }

        if (channelHeader.ChannelId != channelId)
        {
            return Status.NotFound;
        }

        if (requireClientTls && !BindingHolds(channelHeader.TlsCertHash, context))
        {
            return Status.BadRequest;
        }

        var creator = msp.Check(signatureHeader.Creator).Identity;
        if (creator is null || !isReader(creator) || !creator.Verify(envelope.Payload.Span, envelope.Signature.Span))
        {
            return Status.Forbidden;
        }

        if (seekInfo.Start is null || seekInfo.Stop is null)
        {
            return Status.BadRequest;
        }

        var height = blocks.Height;
        var start = Position(seekInfo.Start, height);
        var stop = Position(seekInfo.Stop, height);
        if (start is null || stop is null || start > stop)
        {
            return Status.BadRequest;
        }

        var sent = 0;
        for (var number = start.Value; ; number++)
        {
            var block = blocks.Get(number);
            if (block is null)
            {
                if (seekInfo.Behavior == SeekInfo.Types.SeekBehavior.FailIfNotReady)
                {
                    return Status.NotFound;
                }

                await blocks.WaitForBlockAsync(number, cancellationToken).ConfigureAwait(false);
                block = blocks.Get(number)!;
            }

            if (sent > 0 && faults?.WithholdBlocks == true)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }

            if (faults?.DeliverDelay is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            await sink.SendBlockAsync(block, cancellationToken).ConfigureAwait(false);
            timings?.Delivered(number, node ?? "?", stream);
            sent++;
            if (faults?.DropDeliverAfterFirstBlock == true)
            {
                // Give the first block time to reach the client (or abort as soon as a next block exists), then
                // reset the HTTP/2 stream: the client sees a transport error, not a status.
                using (var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    grace.CancelAfter(DropGrace);
                    try
                    {
                        await blocks.WaitForBlockAsync(number + 1, grace.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                    }
                }

                context.GetHttpContext().Abort();
                return null;
            }

            if (number >= stop.Value)
            {
                return Status.Success;
            }
        }
    }

    private static ulong? Position(SeekPosition position, ulong height) => position.TypeCase switch
    {
        SeekPosition.TypeOneofCase.Newest => height == 0 ? 0 : height - 1,
        SeekPosition.TypeOneofCase.Oldest => 0,
        SeekPosition.TypeOneofCase.Specified => position.Specified.Number,
        SeekPosition.TypeOneofCase.NextCommit => height,
        _ => null,
    };

    /// <summary>Fabric's binding inspector under mutual TLS: the seek must carry SHA-256 of this connection's client certificate.</summary>
    private static bool BindingHolds(ByteString tlsCertHash, ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        if (certificate is null || tlsCertHash.IsEmpty)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.RawData), tlsCertHash.Span);
    }
}
