using System.Buffers.Binary;
using System.Net;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using DeliverResponse = FabricInvoke.Protos.Peer.DeliverResponse;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.Robustness.Tests.Infrastructure;

/// <summary>The four moments a Fabric node answers fabinvoke, in protocol order.</summary>
public enum Stage
{
    /// <summary>Endorser.ProcessProposal's response.</summary>
    Endorse,

    /// <summary>Deliver.DeliverFiltered's first message (the newest block at connect time).</summary>
    DeliverConnect,

    /// <summary>AtomicBroadcast.Broadcast's response.</summary>
    Broadcast,

    /// <summary>Deliver.DeliverFiltered's next message, after the broadcast (the block with the txid).</summary>
    DeliverCommit,
}

/// <summary>
/// What the node sends at one stage instead of a proper answer: raw HTTP/2 body bytes (framed or not) and optionally
/// a grpc-status trailer. <see cref="Silent"/> means: never answer at all.
/// </summary>
public sealed record RawReply(Stage Stage, string Kind, byte[] Body, int? GrpcStatus = 0, string? GrpcMessage = null, bool Silent = false)
{
    public override string ToString() =>
        Silent ? $"{Stage}: silent" : $"{Stage}: {Kind}, {Body.Length} body bytes [{Convert.ToHexString(Body.AsSpan(0, Math.Min(Body.Length, 24)))}…], grpc-status {GrpcStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}";

    public static RawReply SilentAt(Stage stage) => new(stage, "silent", [], Silent: true);

    /// <summary>The gRPC length-prefixed message framing: 0 (uncompressed), 4-byte big-endian length, bytes.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message, int? claimedLength = null)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), claimedLength ?? message.Length);
        message.CopyTo(framed.AsSpan(5));
        return framed;
    }
}

/// <summary>
/// A Fabric peer and orderer on one plain-HTTP/2 (h2c) port that speaks the gRPC wire format by hand, so it can
/// answer with anything: correct messages for every stage except the one <see cref="Plan"/> names, which gets raw
/// bytes. Kestrel routes by the real method paths (/protos.Endorser/ProcessProposal, ...), so the client cannot tell
/// it from a real node until it reads the answer.
/// </summary>
public sealed class RawPeer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private TaskCompletionSource<string> _broadcastTxId = NewTxIdSource();
    private volatile RawReply? _plan;

    private RawPeer(WebApplication app)
    {
        _app = app;
        app.Run(HandleAsync);
    }

    /// <summary>host:port.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The misbehaviour for the next run; null answers every stage properly (the invoke then succeeds).</summary>
    public RawReply? Plan
    {
        get => _plan;
        set
        {
            _plan = value;
            _broadcastTxId = NewTxIdSource();
        }
    }

    /// <param name="port">The port to bind; 0 (the default) lets the system choose a free one.</param>
    public static async Task<RawPeer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        var peer = new RawPeer(builder.Build());
        await peer._app.StartAsync();
        var bound = peer._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        peer.Address = $"127.0.0.1:{new Uri(bound).Port}";

        // One throwaway request, so Kestrel's first-request cost does not eat into a test's short deadlines.
        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var warmUp = await client.PostAsync(new Uri($"http://{peer.Address}/warm.Up/Now"), new ByteArrayContent(RawReply.Frame([])));
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource<string> NewTxIdSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var body = context.Request.Body;
        context.Response.ContentType = "application/grpc";
        switch (context.Request.Path.Value)
        {
            case "/protos.Endorser/ProcessProposal":
                _ = await ReadMessageAsync(body, aborted);
                await AnswerAsync(context, Stage.Endorse, GoodProposalResponse().ToByteArray(), endCall: true);
                break;

            case "/orderer.AtomicBroadcast/Broadcast":
                var envelope = Envelope.Parser.ParseFrom(await ReadMessageAsync(body, aborted));
                var header = ChannelHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(envelope.Payload).Header.ChannelHeader);
                _broadcastTxId.TrySetResult(header.TxId);
                if (await AnswerAsync(context, Stage.Broadcast, new BroadcastResponse { Status = Status.Success }.ToByteArray(), endCall: false))
                {
                    // As an orderer does: keep the stream open until the client completes it.
                    await DrainAsync(body, aborted);
                    Trailers(context, 0, null);
                }

                break;

            case "/protos.Deliver/DeliverFiltered":
                _ = await ReadMessageAsync(body, aborted);
                var connected = new DeliverResponse { FilteredBlock = new FilteredBlock { ChannelId = "mychannel", Number = 5 } };
                if (!await AnswerAsync(context, Stage.DeliverConnect, connected.ToByteArray(), endCall: false))
                {
                    return;
                }

                var txId = await _broadcastTxId.Task.WaitAsync(aborted);
                var block = new FilteredBlock { ChannelId = "mychannel", Number = 6 };
                block.FilteredTransactions.Add(new FilteredTransaction { Txid = txId, Type = HeaderType.EndorserTransaction, TxValidationCode = TxValidationCode.Valid });
                if (await AnswerAsync(context, Stage.DeliverCommit, new DeliverResponse { FilteredBlock = block }.ToByteArray(), endCall: false))
                {
                    // A real peer would go on streaming blocks; the client closes the stream when it has its answer.
                    await Task.Delay(Timeout.Infinite, aborted);
                }

                break;

            default:
                Trailers(context, 12, "unknown method " + context.Request.Path.Value);
                break;
        }
    }

    /// <summary>
    /// Writes the proper message unless the plan targets <paramref name="stage"/>. Returns true when the call goes on
    /// (the proper message was sent and <paramref name="endCall"/> is false); after a planned misbehaviour it ends the call.
    /// </summary>
    private async Task<bool> AnswerAsync(HttpContext context, Stage stage, byte[] proper, bool endCall)
    {
        var plan = _plan;
        if (plan is null || plan.Stage != stage)
        {
            await context.Response.Body.WriteAsync(RawReply.Frame(proper), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (endCall)
            {
                Trailers(context, 0, null);
            }

            return !endCall;
        }

        if (plan.Silent)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }

        await context.Response.Body.WriteAsync(plan.Body, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        if (plan.GrpcStatus is { } code)
        {
            Trailers(context, code, plan.GrpcMessage);
        }

        return false;
    }

    private static void Trailers(HttpContext context, int code, string? message)
    {
        context.Response.AppendTrailer("grpc-status", code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message is not null)
        {
            // gRPC percent-encodes the message so any text (newlines included) fits in a header.
            context.Response.AppendTrailer("grpc-message", Uri.EscapeDataString(message));
        }
    }

    public static ProposalResponse GoodProposalResponse() => new()
    {
        Version = 1,
        Response = new Response { Status = 200, Payload = ByteString.CopyFromUtf8("ok") },
        Payload = ByteString.CopyFromUtf8("proposal response payload"),
        Endorsement = new Endorsement { Endorser = ByteString.CopyFromUtf8("peer0.org1"), Signature = ByteString.CopyFromUtf8("signature") },
    };

    private static async Task<byte[]> ReadMessageAsync(Stream body, CancellationToken cancellationToken)
    {
        var header = new byte[5];
        await body.ReadExactlyAsync(header, cancellationToken);
        var message = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
        await body.ReadExactlyAsync(message, cancellationToken);
        return message;
    }

    private static async Task DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (await body.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }
}
