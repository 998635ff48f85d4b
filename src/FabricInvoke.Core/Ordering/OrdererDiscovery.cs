using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;

namespace FabricInvoke.Core.Ordering;

/// <summary>
/// Finds the orderers when none are given, as the peer CLI does: asks the first peer for the channel configuration
/// (cscc GetChannelConfig, a CONFIG-type proposal with an empty channel id) and reads the orderer endpoints from it.
/// </summary>
internal static class OrdererDiscovery
{
    /// <summary>What the peer CLI asks: system chaincode cscc, function GetChannelConfig, on no channel (the header's channel id is empty).</summary>
    public static ChaincodeInvocation Request(string channelId) =>
        new(string.Empty, "cscc", [System.Text.Encoding.UTF8.GetBytes("GetChannelConfig"), System.Text.Encoding.UTF8.GetBytes(channelId)], [], false);

    /// <summary>
    /// What a peer answers a channel-less request whose signer is not of its own organisation: it checks such requests
    /// against its local MSP only (Fabric core/endorser).
    /// </summary>
    private const string LocalMspRefusal = "access denied: channel [] creator org unknown";

    /// <summary>
    /// Asks the first peer, as the peer CLI does; when it refuses the signer because the signer is of another
    /// organisation, asks the next peers in turn (one of them may be of the signer's organisation).
    /// Returns the endpoints, how the channel orders (its consensus type) and the peer that gave them.
    /// </summary>
    /// <exception cref="FabricInvokeException">As <see cref="FindAsync(PeerNode, Identity.SigningIdentity, string, TimeSpan, CancellationToken)"/>;
    /// when every peer refused the signer's organisation, one Endorsement failure that says so.</exception>
    public static async Task<(IReadOnlyList<string> Endpoints, ChannelOrdering Ordering, PeerNode Peer)> FindAsync(
        IReadOnlyList<PeerNode> peers, Identity.SigningIdentity signer, string channelId, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        FabricInvokeException? first = null;
        foreach (var peer in peers)
        {
            try
            {
                var (endpoints, ordering) = await FindAsync(peer, signer, channelId, requestTimeout, cancellationToken).ConfigureAwait(false);
                return (endpoints, ordering, peer);
            }
            catch (FabricInvokeException e) when (e.Kind == FailureKind.Endorsement && e.Message.Contains(LocalMspRefusal, StringComparison.Ordinal))
            {
                first ??= e;
            }
        }

        var refused = peers.Select(p => p.Address).ToList();
        throw new FabricInvokeException(
            FailureKind.Endorsement,
            $"orderer discovery failed: {(refused.Count == 1 ? "peer " + refused[0] : "peers " + string.Join(", ", refused))} refused to read the configuration of channel {channelId} for {signer.MspId} " +
            $"(a peer answers this channel-less request only from its own organisation): name a peer of {signer.MspId} first, or {Failures.RemedyPhrase(Remedy.GiveOrderer)}; {first!.Message}",
            first)
        {
            Targets = refused,
            GrpcStatus = first.GrpcStatus,
            Remedy = Remedy.GiveOrderer,
        };
    }

    /// <exception cref="FabricInvokeException">
    /// Connection (the peer unreachable), Endorsement (the peer refused the request), Config (no endpoints, or not a
    /// channel configuration).
    /// </exception>
    public static async Task<(IReadOnlyList<string> Endpoints, ChannelOrdering Ordering)> FindAsync(
        PeerNode peer, Identity.SigningIdentity signer, string channelId, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        var time = peer.Connection.Time;
        var proposal = SignedChaincodeProposal.Create(Request(channelId), signer, time, HeaderType.Config);
        ProposalResponse response;
        try
        {
            response = await ConnectRetry.RunAsync(
                () => peer.Calls.AsyncUnaryCall(
                    FabricCalls.ProcessProposal, null, new CallOptions(deadline: time.GetUtcNow().UtcDateTime + requestTimeout, cancellationToken: cancellationToken), proposal.Signed).ResponseAsync,
                peer.Connection,
                cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
        {
            throw Failures.Connection("peer", peer.Address, RpcFailure.Describe(e, peer.Connection), e, needsClientCertificate: RpcFailure.NeedsClientCertificate(e, peer.Connection));
        }
        catch (RpcException e)
        {
            throw Failures.Endorsement(null, peer.Address,
                $"error getting channel ({channelId}) orderer endpoints: {RpcFailure.Describe(e, peer.Connection)}", e, e.StatusCode);
        }

        if (response.Response is not { Status: >= 200 and < 400 } ok)
        {
            throw Failures.Endorsement(null, peer.Address,
                $"error getting channel ({channelId}) orderer endpoints: response: status:{response.Response?.Status ?? 0} message:\"{response.Response?.Message}\"",
                chaincodeStatus: response.Response?.Status);
        }

        IReadOnlyList<string> endpoints;
        ChannelOrdering ordering;
        try
        {
            (endpoints, ordering) = ChannelConfigReader.Read(ok.Payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Failures.ConfigMessage($"peer {peer.Address} answered GetChannelConfig for {channelId} with something that is not a channel configuration", e);
        }

        return endpoints.Count > 0
            ? (endpoints, ordering)
            : throw Failures.NoOrdererEndpoints(channelId, peer.Address);
    }
}
