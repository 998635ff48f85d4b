using FabricInvoke.DevNet.Hosting;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

namespace FabricInvoke.DevNet.Peer;

/// <summary>The peer's <c>protos.Endorser</c> service.</summary>
internal sealed class EndorserService(ProposalProcessor processor, NodeLifetime lifetime) : Endorser.EndorserBase
{
    public override async Task<ProposalResponse> ProcessProposal(SignedProposal request, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        return await processor.ProcessAsync(request, linked.Token).ConfigureAwait(false);
    }
}
