using FabricInvoke.Protos.Gateway;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

using RpcStatus = FabricInvoke.Protos.Rpc.Status;

namespace FabricInvoke.DevNet.Gateway;

/// <summary>How one ProcessProposal went, classified the way a Fabric v2.4 gateway classifies it (apiutils responseStatus).</summary>
/// <param name="Code">OK on success; otherwise the kind of failure.</param>
/// <param name="Message">The failure's text, as it appears in an ErrorDetail.</param>
/// <param name="Retry">Another peer of the same organisation may do better (Evaluate retries on it).</param>
internal readonly record struct EndorserOutcome(ProposalResponse? Response, StatusCode Code, string Message, bool Retry)
{
    public bool Succeeded => Code == StatusCode.OK;
}

/// <summary>The gateway's gRPC errors: a status, and the per-endpoint ErrorDetails in the grpc-status-details-bin trailer.</summary>
internal static class GatewayErrors
{
    private const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>A status error carrying <paramref name="details"/> (as a marshalled google.rpc.Status) when there are any.</summary>
    public static RpcException Error(StatusCode code, string message, IReadOnlyList<ErrorDetail>? details = null)
    {
        if (details is null || details.Count == 0)
        {
            return new RpcException(new Status(code, message));
        }

        var status = new RpcStatus { Code = (int)code, Message = message };
        status.Details.AddRange(details.Select(Any.Pack));
        var trailers = new Metadata { { DetailsTrailer, status.ToByteArray() } };
        return new RpcException(new Status(code, message), trailers);
    }

    public static ErrorDetail Detail(string address, string mspId, string message) => new() { Address = address, MspId = mspId, Message = message };

    /// <summary>
    /// The outcome of a ProcessProposal. <paramref name="error"/> is the endorser's refusal: from the gateway's own peer
    /// (called in-process, so the endorser's message comes as it is) it is the client's fault; from another peer (over
    /// gRPC) it arrives as Go words a gRPC error, and is treated like an unreachable peer.
    /// </summary>
    public static EndorserOutcome Classify(ProposalResponse? response, RpcException? error, bool local)
    {
        if (error is not null)
        {
            return local
                ? new EndorserOutcome(null, StatusCode.FailedPrecondition, error.Status.Detail, false)
                : new EndorserOutcome(null, StatusCode.Unavailable, GoText(error), true);
        }

        var status = response!.Response?.Status ?? 0;
        var message = response.Response?.Message ?? "";
        if (status is < 200 or >= 400)
        {
            // A 500 without payload was made by the peer (no chaincode ran): another peer may succeed. Anything else is
            // the chaincode's own answer.
            return response.Payload.IsEmpty && status == 500
                ? new EndorserOutcome(response, StatusCode.Aborted, message, true)
                : new EndorserOutcome(response, StatusCode.Unknown, $"chaincode response {status}, {message}", false);
        }

        return new EndorserOutcome(response, StatusCode.OK, "", false);
    }

    /// <summary>A gRPC client error as Go prints it: <c>rpc error: code = Unavailable desc = …</c>.</summary>
    public static string GoText(RpcException e) => $"rpc error: code = {GoName(e.StatusCode)} desc = {e.Status.Detail}";

    /// <summary>Go's name of a gRPC code (Go spells Cancelled with one l).</summary>
    public static string GoName(StatusCode code) => code == StatusCode.Cancelled ? "Canceled" : code.ToString();
}
