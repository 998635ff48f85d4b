using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Gateway;
using Google.Protobuf;
using Grpc.Core;
using RpcStatus = FabricInvoke.Protos.Rpc.Status;

namespace FabricInvoke.Core.Gateway;

/// <summary>
/// Reads a Gateway's error: the gRPC status, and the per-endpoint ErrorDetails it attaches as a google.rpc.Status in the
/// <c>grpc-status-details-bin</c> trailer (address, MSP id and message of each peer or orderer that failed).
/// </summary>
internal static class GatewayStatus
{
    private const string DetailsTrailer = "grpc-status-details-bin";

    public static IReadOnlyList<EndpointDetail> Details(RpcException e)
    {
        var bytes = e.Trailers.GetValueBytes(DetailsTrailer);
        return bytes is null ? [] : Details(bytes);
    }

    /// <summary>The ErrorDetails of a marshalled google.rpc.Status; nothing for anything else.</summary>
    public static IReadOnlyList<EndpointDetail> Details(byte[] statusBytes)
    {
        RpcStatus status;
        try
        {
            status = RpcStatus.Parser.ParseFrom(statusBytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return [];
        }

        var details = new List<EndpointDetail>();
        foreach (var any in status.Details)
        {
            try
            {
                if (any.TypeUrl.EndsWith("/gateway.ErrorDetail", StringComparison.Ordinal))
                {
                    var d = ErrorDetail.Parser.ParseFrom(any.Value);
                    details.Add(new EndpointDetail(d.Address, NullIfEmpty(d.MspId), d.Message));
                }
                else if (any.TypeUrl.EndsWith("/gateway.EndpointError", StringComparison.Ordinal))
                {
                    var d = EndpointError.Parser.ParseFrom(any.Value);
                    details.Add(new EndpointDetail(d.Address, NullIfEmpty(d.MspId), d.Message));
                }
            }
            catch (InvalidProtocolBufferException)
            {
                // A detail we cannot read adds nothing; the status itself is still reported.
            }
        }

        return details;
    }

    /// <summary>"desc (rpc error: code = Aborted); 127.0.0.1:7051 (Org1MSP): chaincode response 500, boom; …" — every detail on the one line.</summary>
    public static string Describe(RpcException e, IReadOnlyList<EndpointDetail> details)
    {
        var detail = string.IsNullOrEmpty(e.Status.Detail) ? e.StatusCode.ToString() : e.Status.Detail;
        var line = $"{detail} (rpc error: code = {e.StatusCode})";
        return details.Count == 0 ? line : $"{line}: {string.Join("; ", details)}";
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
