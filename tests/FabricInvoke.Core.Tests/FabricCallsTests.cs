using FabricInvoke.Core.Connections;
using FabricInvoke.Protos.Gateway;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

namespace FabricInvoke.Core.Tests;

/// <summary>The hand-made call descriptors name exactly the services and methods of the generated (wire) definitions.</summary>
public sealed class FabricCallsTests
{
    public static TheoryData<IMethod, Google.Protobuf.Reflection.MethodDescriptor, MethodType> Calls => new()
    {
        { FabricCalls.ProcessProposal, Endorser.Descriptor.FindMethodByName("ProcessProposal"), MethodType.Unary },
        { FabricCalls.Deliver, Deliver.Descriptor.FindMethodByName("Deliver"), MethodType.DuplexStreaming },
        { FabricCalls.DeliverFiltered, Deliver.Descriptor.FindMethodByName("DeliverFiltered"), MethodType.DuplexStreaming },
        { FabricCalls.Broadcast, AtomicBroadcast.Descriptor.FindMethodByName("Broadcast"), MethodType.DuplexStreaming },
        { FabricCalls.GatewayEndorse, FabricInvoke.Protos.Gateway.Gateway.Descriptor.FindMethodByName("Endorse"), MethodType.Unary },
        { FabricCalls.GatewaySubmit, FabricInvoke.Protos.Gateway.Gateway.Descriptor.FindMethodByName("Submit"), MethodType.Unary },
        { FabricCalls.GatewayCommitStatus, FabricInvoke.Protos.Gateway.Gateway.Descriptor.FindMethodByName("CommitStatus"), MethodType.Unary },
        { FabricCalls.GatewayEvaluate, FabricInvoke.Protos.Gateway.Gateway.Descriptor.FindMethodByName("Evaluate"), MethodType.Unary },
        { FabricCalls.GatewayChaincodeEvents, FabricInvoke.Protos.Gateway.Gateway.Descriptor.FindMethodByName("ChaincodeEvents"), MethodType.ServerStreaming },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void Each_call_is_the_generated_method_on_the_wire(IMethod call, Google.Protobuf.Reflection.MethodDescriptor generated, MethodType type)
    {
        Assert.Equal($"/{generated.Service.FullName}/{generated.Name}", call.FullName);
        Assert.Equal(type, call.Type);
        Assert.Equal(generated.IsClientStreaming, type is MethodType.ClientStreaming or MethodType.DuplexStreaming);
        Assert.Equal(generated.IsServerStreaming, type is MethodType.ServerStreaming or MethodType.DuplexStreaming);
    }
}
