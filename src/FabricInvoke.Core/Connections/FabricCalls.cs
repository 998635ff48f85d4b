using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Gateway;
using FabricInvoke.Protos.Orderer;
using DeliverResponse = FabricInvoke.Protos.Peer.DeliverResponse;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// The gRPC methods fabinvoke calls, called on the channel's own <see cref="CallInvoker"/>. The generated clients
/// (ClientBase) wrap every call in an intercepting invoker whose generic virtual methods run in shared code; native
/// AOT then builds each call's generic instantiations at run time with its type loader, a large share of an invoke's
/// CPU (docs/performance.md). Calling the invoker with the exact message types lets the compiler prepare them ahead of time. Service and
/// method names are the wire protocol's (a test checks them against the generated descriptors).
/// </summary>
internal static class FabricCalls
{
    public static readonly Method<SignedProposal, ProposalResponse> ProcessProposal =
        Create(MethodType.Unary, "protos.Endorser", "ProcessProposal", SignedProposal.Parser, ProposalResponse.Parser);

    public static readonly Method<Envelope, DeliverResponse> Deliver =
        Create(MethodType.DuplexStreaming, "protos.Deliver", "Deliver", Envelope.Parser, DeliverResponse.Parser);

    public static readonly Method<Envelope, DeliverResponse> DeliverFiltered =
        Create(MethodType.DuplexStreaming, "protos.Deliver", "DeliverFiltered", Envelope.Parser, DeliverResponse.Parser);

    public static readonly Method<Envelope, BroadcastResponse> Broadcast =
        Create(MethodType.DuplexStreaming, "orderer.AtomicBroadcast", "Broadcast", Envelope.Parser, BroadcastResponse.Parser);

    public static readonly Method<EndorseRequest, EndorseResponse> GatewayEndorse =
        Create(MethodType.Unary, "gateway.Gateway", "Endorse", EndorseRequest.Parser, EndorseResponse.Parser);

    public static readonly Method<SubmitRequest, SubmitResponse> GatewaySubmit =
        Create(MethodType.Unary, "gateway.Gateway", "Submit", SubmitRequest.Parser, SubmitResponse.Parser);

    public static readonly Method<SignedCommitStatusRequest, CommitStatusResponse> GatewayCommitStatus =
        Create(MethodType.Unary, "gateway.Gateway", "CommitStatus", SignedCommitStatusRequest.Parser, CommitStatusResponse.Parser);

    public static readonly Method<EvaluateRequest, EvaluateResponse> GatewayEvaluate =
        Create(MethodType.Unary, "gateway.Gateway", "Evaluate", EvaluateRequest.Parser, EvaluateResponse.Parser);

    public static readonly Method<SignedChaincodeEventsRequest, ChaincodeEventsResponse> GatewayChaincodeEvents =
        Create(MethodType.ServerStreaming, "gateway.Gateway", "ChaincodeEvents", SignedChaincodeEventsRequest.Parser, ChaincodeEventsResponse.Parser);

    private static Method<TRequest, TResponse> Create<TRequest, TResponse>(
        MethodType type, string service, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>, IBufferMessage
        where TResponse : class, IMessage<TResponse>, IBufferMessage =>
        new(type, service, name, Marshal(requestParser), Marshal(responseParser));

    /// <summary>Serialises straight into the call's buffer and parses straight from it (no intermediate arrays).</summary>
    private static Marshaller<T> Marshal<T>(MessageParser<T> parser)
        where T : class, IMessage<T>, IBufferMessage =>
        Marshallers.Create<T>(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
