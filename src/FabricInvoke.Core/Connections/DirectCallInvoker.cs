using System.Runtime.CompilerServices;
using Grpc.Core;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// The channel's call invoker without generic virtual dispatch. <see cref="CallInvoker"/>'s call methods are generic
/// virtual methods; native AOT resolves each new instantiation of one at run time with its type loader, which builds the
/// target's generic dictionaries and allocates enough to start a garbage collection in a process that lives a fifth of
/// a second: a large share of a native invoke's CPU (perf record; docs/performance.md). grpc-dotnet's
/// own invoker is sealed, so calling its methods directly lets the compiler prepare every instantiation ahead of time.
/// Any other invoker (an interceptor, a future grpc-dotnet that renames its class) is called the ordinary way, and so
/// is every invoker unless <see cref="Configuration.TransportSettings.StartupShortcuts"/> is on (the CLI): a library
/// user never depends on grpc-dotnet's internal names.
/// </summary>
internal sealed class DirectCallInvoker
{
    private const string GrpcInvokerName = "Grpc.Net.Client.Internal.HttpClientCallInvoker";
    private const string GrpcInvokerType = GrpcInvokerName + ", Grpc.Net.Client";

    private readonly CallInvoker _invoker;

    /// <param name="shortcut">Call grpc-dotnet's own invoker directly when it is the one (the CLI's start-up shortcut).</param>
    public DirectCallInvoker(CallInvoker invoker, bool shortcut)
    {
        _invoker = invoker;
        IsDirect = shortcut && invoker.GetType().FullName == GrpcInvokerName;
    }

    /// <summary>True when calls go straight to grpc-dotnet's invoker.</summary>
    public bool IsDirect { get; }

    public AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        where TRequest : class
        where TResponse : class =>
        IsDirect ? GrpcUnary(_invoker, method, host, options, request) : _invoker.AsyncUnaryCall(method, host, options, request);

    public AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        where TRequest : class
        where TResponse : class =>
        IsDirect ? GrpcDuplex(_invoker, method, host, options) : _invoker.AsyncDuplexStreamingCall(method, host, options);

    public AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        where TRequest : class
        where TResponse : class =>
        IsDirect ? GrpcServerStreaming(_invoker, method, host, options, request) : _invoker.AsyncServerStreamingCall(method, host, options, request);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = nameof(CallInvoker.AsyncUnaryCall))]
    private static extern AsyncUnaryCall<TResponse> GrpcUnary<TRequest, TResponse>(
        [UnsafeAccessorType(GrpcInvokerType)] object invoker, Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        where TRequest : class
        where TResponse : class;

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = nameof(CallInvoker.AsyncDuplexStreamingCall))]
    private static extern AsyncDuplexStreamingCall<TRequest, TResponse> GrpcDuplex<TRequest, TResponse>(
        [UnsafeAccessorType(GrpcInvokerType)] object invoker, Method<TRequest, TResponse> method, string? host, CallOptions options)
        where TRequest : class
        where TResponse : class;

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = nameof(CallInvoker.AsyncServerStreamingCall))]
    private static extern AsyncServerStreamingCall<TResponse> GrpcServerStreaming<TRequest, TResponse>(
        [UnsafeAccessorType(GrpcInvokerType)] object invoker, Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        where TRequest : class
        where TResponse : class;
}
