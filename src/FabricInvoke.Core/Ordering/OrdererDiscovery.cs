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

    /// <exception cref="FabricInvokeException">
    /// Connection (the peer unreachable), Endorsement (the peer refused the request), Config (no endpoints, or not a
    /// channel configuration).
    /// </exception>
    public static async Task<IReadOnlyList<string>> FindAsync(
        PeerNode peer, Identity.SigningIdentity signer, string channelId, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        var time = peer.Connection.Time;
        var proposal = ChaincodeProposal.Create(Request(channelId), signer, time, HeaderType.Config);
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
            throw Failures.Connection("peer", peer.Address, RpcFailure.Describe(e, peer.Connection), e);
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
        try
        {
            endpoints = ChannelConfigReader.OrdererEndpoints(ok.Payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Failures.ConfigMessage($"peer {peer.Address} answered GetChannelConfig for {channelId} with something that is not a channel configuration", e);
        }

        return endpoints.Count > 0
            ? endpoints
            : throw Failures.ConfigMessage($"the configuration of channel {channelId} (from peer {peer.Address}) lists no orderer endpoints; give -o/--orderer");
    }
}
