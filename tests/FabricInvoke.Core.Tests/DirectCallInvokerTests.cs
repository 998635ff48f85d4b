using System.Net;
using System.Net.Http.Headers;
using FabricInvoke.Core.Connections;
using FabricInvoke.Protos.Peer;
using Grpc.Core;
using Grpc.Net.Client;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// Calls go straight to grpc-dotnet's own invoker (no generic virtual dispatch), and still reach the wire as the
/// method asks; any other invoker is called the ordinary way.
/// </summary>
public sealed class DirectCallInvokerTests
{
    [Fact]
    public async Task A_channel_invoker_is_called_directly_and_the_call_reaches_the_wire()
    {
        var handler = new TrailersOnlyHandler(StatusCode.Unimplemented, "no such method here");
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:7051", new GrpcChannelOptions { HttpHandler = handler });
        var invoker = new DirectCallInvoker(channel.CreateCallInvoker(), shortcut: true);
        Assert.True(invoker.IsDirect);

        using var unary = invoker.AsyncUnaryCall(FabricCalls.ProcessProposal, null, default, new SignedProposal());
        var e = await Assert.ThrowsAsync<RpcException>(() => unary.ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal("no such method here", e.Status.Detail);

        using var duplex = invoker.AsyncDuplexStreamingCall(FabricCalls.DeliverFiltered, null, default);
        await Assert.ThrowsAsync<RpcException>(() => duplex.ResponseStream.MoveNext(CancellationToken.None));

        using var server = invoker.AsyncServerStreamingCall(FabricCalls.GatewayChaincodeEvents, null, default, new FabricInvoke.Protos.Gateway.SignedChaincodeEventsRequest());
        await Assert.ThrowsAsync<RpcException>(() => server.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(["/protos.Endorser/ProcessProposal", "/protos.Deliver/DeliverFiltered", "/gateway.Gateway/ChaincodeEvents"], handler.Paths);
    }

    [Fact]
    public async Task Without_the_startup_shortcut_even_grpc_dotnets_invoker_is_called_the_ordinary_way()
    {
        var handler = new TrailersOnlyHandler(StatusCode.Unimplemented, "no such method here");
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:7051", new GrpcChannelOptions { HttpHandler = handler });
        var invoker = new DirectCallInvoker(channel.CreateCallInvoker(), shortcut: false);
        Assert.False(invoker.IsDirect);

        using var unary = invoker.AsyncUnaryCall(FabricCalls.ProcessProposal, null, default, new SignedProposal());
        Assert.Equal(StatusCode.Unimplemented, (await Assert.ThrowsAsync<RpcException>(() => unary.ResponseAsync)).StatusCode);
        Assert.Equal(["/protos.Endorser/ProcessProposal"], handler.Paths);
    }

    [Fact]
    public async Task Any_other_invoker_is_called_through_its_virtual_methods()
    {
        var recording = new RecordingInvoker();
        var invoker = new DirectCallInvoker(recording, shortcut: true);
        Assert.False(invoker.IsDirect);

        using var unary = invoker.AsyncUnaryCall(FabricCalls.ProcessProposal, null, default, new SignedProposal());
        Assert.Equal(200, (await unary.ResponseAsync).Response.Status);
        using var duplex = invoker.AsyncDuplexStreamingCall(FabricCalls.Broadcast, null, default);
        Assert.False(await duplex.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(["/protos.Endorser/ProcessProposal", "/orderer.AtomicBroadcast/Broadcast"], recording.Calls);
    }

    /// <summary>Answers every call with a trailers-only gRPC response carrying the given status.</summary>
    private sealed class TrailersOnlyHandler(StatusCode code, string detail) : HttpMessageHandler
    {
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Paths)
            {
                Paths.Add(request.RequestUri!.AbsolutePath);
            }

            var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = HttpVersion.Version20, RequestMessage = request, Content = new ByteArrayContent([]) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            response.Headers.Add("grpc-status", ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.Add("grpc-message", detail);
            return Task.FromResult(response);
        }
    }

    private sealed class RecordingInvoker : CallInvoker
    {
        public List<string> Calls { get; } = [];

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            Calls.Add(method.FullName);
            var answer = (TResponse)(object)new ProposalResponse { Response = new Response { Status = 200 } };
            return new AsyncUnaryCall<TResponse>(Task.FromResult(answer), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        {
            Calls.Add(method.FullName);
            return new AsyncDuplexStreamingCall<TRequest, TResponse>(new NullWriter<TRequest>(), new EmptyReader<TResponse>(), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();
    }

    private sealed class NullWriter<T> : IClientStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task CompleteAsync() => Task.CompletedTask;

        public Task WriteAsync(T message) => Task.CompletedTask;
    }

    private sealed class EmptyReader<T> : IAsyncStreamReader<T>
    {
        public T Current => throw new InvalidOperationException();

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
