using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Protos.Peer;
using Grpc.Core;
using FabricStatus = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.Core.Errors;

/// <summary>
/// The one place that words failures, so every message has the same shape: what failed, at which node or file, what
/// the node said, and — derived from <see cref="SendState"/> — whether the transaction may still commit.
/// </summary>
internal static class Failures
{
    public static FabricInvokeException Usage(string message) => new(FailureKind.Usage, message);

    public static FabricInvokeException Config(string file, string problem, Exception? inner = null) =>
        new(FailureKind.Config, $"{problem}: {file}", inner) { Targets = [file] };

    /// <summary>A connection profile that cannot be used, naming the file and the key path at fault.</summary>
    public static FabricInvokeException ConnectionProfile(string file, string keyPath, string problem, Exception? inner = null) =>
        new(FailureKind.Config, keyPath.Length == 0 ? $"connection profile {file}: {problem}" : $"connection profile {file}: {keyPath}: {problem}", inner)
        {
            Targets = [file],
        };

    public static FabricInvokeException ConfigMessage(string message, Exception? inner = null) =>
        new(FailureKind.Config, message, inner);

    /// <summary>A node that could not be reached: nothing was sent to it.</summary>
    /// <param name="needsClientCertificate">The node refused the connection for want of a TLS client certificate.</param>
    public static FabricInvokeException Connection(string role, string address, string problem, Exception? inner = null, string? txId = null, bool needsClientCertificate = false) =>
        new(FailureKind.Connection, $"cannot connect to {role} {address}: {problem}", inner)
        {
            Targets = [address],
            TxId = txId,
            GrpcStatus = StatusCode.Unavailable,
            ClientCertificateRequiredBy = needsClientCertificate ? role : null,
        };

    /// <summary>No orderer of several could be reached.</summary>
    public static FabricInvokeException NoOrdererReachable(string txId, IReadOnlyList<EndpointDetail> attempts) =>
        new(FailureKind.Connection, $"cannot connect to any orderer of {string.Join(", ", attempts.Select(a => a.Address))}: {string.Join("; ", attempts)}")
        {
            Targets = attempts.Select(a => a.Address).ToList(),
            Details = attempts,
            TxId = txId,
            GrpcStatus = StatusCode.Unavailable,
        };

    /// <summary>An endorser refused the proposal (gRPC error or chaincode/error status) or gave an unusable answer.</summary>
    public static FabricInvokeException Endorsement(
        string? txId, string address, string problem, Exception? inner = null, StatusCode? grpcStatus = null, int? chaincodeStatus = null, FabricInvoke.Core.Endorsement.EndorseOperation operation = FabricInvoke.Core.Endorsement.EndorseOperation.Invoke) =>
        new(FailureKind.Endorsement, $"endorsement failure during {Word(operation)} at peer {address}: {problem}", inner)
        {
            Targets = [address],
            TxId = txId,
            GrpcStatus = grpcStatus,
            ChaincodeStatus = chaincodeStatus,
        };

    /// <summary>A Gateway could not endorse (or evaluate) the proposal; <paramref name="details"/> are what each endpoint said.</summary>
    public static FabricInvokeException GatewayEndorsement(
        string txId, string gateway, string problem, StatusCode grpcStatus, IReadOnlyList<EndpointDetail> details, bool evaluate = false, Exception? inner = null) =>
        new(FailureKind.Endorsement, $"{(evaluate ? "evaluation" : "endorsement")} failure during {(evaluate ? "query" : "invoke")} through gateway {gateway}: {problem}", inner)
        {
            Targets = [gateway, .. details.Select(d => d.Address).Where(a => a != gateway).Distinct()],
            Details = details,
            TxId = txId,
            GrpcStatus = grpcStatus,
        };

    /// <summary>A Gateway did not get the transaction ordered.</summary>
    public static FabricInvokeException GatewaySubmit(
        string txId, string gateway, string problem, StatusCode grpcStatus, IReadOnlyList<EndpointDetail> details, SendState sendState, Exception? inner = null) =>
        new(FailureKind.Ordering, $"error sending transaction for invoke through gateway {gateway}: {problem}{Consequence(sendState, ordering: true)}", inner)
        {
            Targets = [gateway, .. details.Select(d => d.Address).Where(a => a != gateway).Distinct()],
            Details = details,
            TxId = txId,
            GrpcStatus = grpcStatus,
            SendState = sendState,
        };

    /// <summary>A Gateway's CommitStatus failed after the transaction was submitted.</summary>
    public static FabricInvokeException GatewayCommitStatus(
        string txId, string gateway, string problem, StatusCode grpcStatus, IReadOnlyList<EndpointDetail> details, Exception? inner = null) =>
        new(FailureKind.Deliver, $"commit status from gateway {gateway} failed: {problem}{Consequence(SendState.Sent, ordering: false)}", inner)
        {
            Targets = [gateway],
            Details = details,
            TxId = txId,
            GrpcStatus = grpcStatus,
            SendState = SendState.Sent,
        };

    /// <summary>The endorsements cannot be assembled into one transaction (payloads differ, a response is unsuccessful).</summary>
    public static FabricInvokeException EndorsementMismatch(string? txId, string message, IReadOnlyList<string>? peers = null) =>
        new(FailureKind.Endorsement, message) { TxId = txId, Targets = peers ?? [] };

    /// <summary>
    /// An orderer refused the transaction or did not answer. <paramref name="sendState"/> is
    /// <see cref="SendState.MaybeSent"/> when an orderer took the envelope but did not answer in time.
    /// </summary>
    public static FabricInvokeException Ordering(
        string txId,
        string address,
        string problem,
        SendState sendState,
        FabricStatus? status = null,
        StatusCode? grpcStatus = null,
        IReadOnlyList<EndpointDetail>? earlier = null,
        Exception? inner = null)
    {
        var before = earlier is { Count: > 0 } ? $" (earlier: {string.Join("; ", earlier)})" : string.Empty;
        return new(FailureKind.Ordering, $"error sending transaction for invoke to orderer {address}: {problem}{before}{Consequence(sendState, ordering: true)}", inner)
        {
            Targets = [address],
            TxId = txId,
            FabricStatus = status,
            GrpcStatus = grpcStatus,
            SendState = sendState,
            Details = earlier ?? [],
        };
    }

    /// <summary>Every orderer of several refused the transaction (each one's answer in <see cref="FabricInvokeException.Details"/>).</summary>
    public static FabricInvokeException NoOrdererAccepted(string txId, IReadOnlyList<EndpointDetail> attempts, SendState sendState, FabricStatus? lastStatus) =>
        new(FailureKind.Ordering, $"error sending transaction for invoke: no orderer accepted it ({string.Join("; ", attempts)}){Consequence(sendState, ordering: true)}")
        {
            Targets = attempts.Select(a => a.Address).ToList(),
            Details = attempts,
            TxId = txId,
            FabricStatus = lastStatus,
            SendState = sendState,
        };

    /// <summary>
    /// A BFT channel's transaction was sent to every orderer, and too few accepted it for the quorum (each one's outcome in
    /// <see cref="FabricInvokeException.Details"/>). Those that did accept it may still have it ordered.
    /// </summary>
    public static FabricInvokeException BftQuorumNotMet(
        string txId, int accepted, int orderers, int quorum, IReadOnlyList<EndpointDetail> attempts, SendState sendState, FabricStatus? lastStatus) =>
        new(FailureKind.Ordering,
            $"error sending transaction for invoke: {accepted} of {orderers} orderers accepted it, the BFT quorum is {quorum} ({string.Join("; ", attempts)}){Consequence(sendState, ordering: true)}")
        {
            Targets = attempts.Select(a => a.Address).ToList(),
            Details = attempts,
            TxId = txId,
            FabricStatus = lastStatus,
            SendState = sendState,
        };

    /// <summary>An organisations commit policy names an organisation none of the given peers belongs to (found after endorsement).</summary>
    public static FabricInvokeException CommitPolicyUnmet(string txId, string policy, IReadOnlyList<string> missingOrgs, IReadOnlyList<string> peers) =>
        new(FailureKind.Usage, $"{RemedyPhrase(Remedy.CommitPolicy)}{policy} names {string.Join(", ", missingOrgs)}, but none of the peers given ({string.Join(", ", peers)}) belongs to it; nothing was sent to the orderer")
        {
            TxId = txId,
            Targets = peers,
            Remedy = Remedy.CommitPolicy,
        };

    /// <summary>A peer committed the transaction as invalid.</summary>
    public static FabricInvokeException Invalidated(string txId, string address, TxValidationCode code, ulong blockNumber) =>
        new(FailureKind.Invalidated, $"transaction {txId} invalidated with status ({FabricNames.Of(code)}) at {address} in block {blockNumber}")
        {
            Targets = [address],
            TxId = txId,
            ValidationCode = code,
            BlockNumber = blockNumber,
            SendState = SendState.Sent,
            NamesTxId = true,
        };

    /// <summary>The orderer accepted the transaction but these peers did not report it in time.</summary>
    public static FabricInvokeException CommitTimeout(string txId, TimeSpan timeout, IReadOnlyList<string> pendingPeers) =>
        new(FailureKind.CommitTimeout,
            $"timed out after {Text.Duration(timeout)} waiting for txid {txId} on peers {string.Join(", ", pendingPeers)}{Consequence(SendState.Sent, ordering: false)}")
        {
            Targets = pendingPeers,
            TxId = txId,
            SendState = SendState.Sent,
            GrpcStatus = StatusCode.DeadlineExceeded,
            NamesTxId = true,
        };

    /// <summary>
    /// A deliver stream failed: a status before the txid (<paramref name="status"/>), a closed stream, or a timeout while
    /// connecting. <paramref name="sendState"/> tells whether the transaction had been sent by then.
    /// </summary>
    public static FabricInvokeException Deliver(
        string? txId, string address, string problem, SendState sendState, FabricStatus? status = null, StatusCode? grpcStatus = null, Exception? inner = null) =>
        // Without a txid there is no transaction (events): nothing to say about sending one (D18).
        new(FailureKind.Deliver, $"deliver from {address} failed: {problem}{(txId is null && sendState == SendState.NotSent ? "" : Consequence(sendState, ordering: false))}", inner)
        {
            Targets = [address],
            TxId = txId,
            SendState = sendState,
            FabricStatus = status,
            GrpcStatus = grpcStatus,
        };

    /// <summary>A Gateway's ChaincodeEvents stream failed.</summary>
    public static FabricInvokeException GatewayEvents(string gateway, string problem, StatusCode grpcStatus, IReadOnlyList<EndpointDetail> details, Exception? inner = null) =>
        new(FailureKind.Deliver, $"chaincode events from gateway {gateway} failed: {problem}", inner)
        {
            Targets = [gateway],
            Details = details,
            GrpcStatus = grpcStatus,
        };

    /// <summary>The user stopped an event stream; <paramref name="last"/> is what its checkpoint records.</summary>
    public static FabricInvokeException EventsInterrupted(string? last) =>
        new(FailureKind.Interrupted, last is null ? "interrupted before any event was written" : $"interrupted; the last line written was for {last}")
        {
            GrpcStatus = StatusCode.Cancelled,
        };

    /// <summary>An event stream ended by its time limit before anything was emitted.</summary>
    public static FabricInvokeException NoEvents(string what, TimeSpan timeout, string from) =>
        new(FailureKind.NoEvents, $"no {what} within {Text.Duration(timeout)}{RemedyPhrase(Remedy.EventStreamTimeout)} from {from}")
        {
            Targets = [from],
            Remedy = Remedy.EventStreamTimeout,
        };

    /// <summary>An event stream gave up re-opening a broken stream after its reconnect timeout.</summary>
    public static FabricInvokeException GaveUpReconnecting(string peers, TimeSpan reconnectTimeout, string lastProblem, FabricInvokeException? last) =>
        new(FailureKind.Deliver, $"gave up re-opening the event stream after {Text.Duration(reconnectTimeout)}{RemedyPhrase(Remedy.ReconnectWindow)} on {peers}: {lastProblem}", last)
        {
            Remedy = Remedy.ReconnectWindow,
            Targets = peers.Split(", "),
            FabricStatus = last?.FabricStatus,
            GrpcStatus = last?.GrpcStatus,
        };

    /// <summary>The user stopped the command (Ctrl-C, SIGTERM); the wording says whether the transaction was sent.</summary>
    public static FabricInvokeException Interrupted(string? txId, SendState sendState) =>
        new(FailureKind.Interrupted, sendState switch
        {
            SendState.Sent => $"interrupted while waiting for txid {txId}{Consequence(sendState, ordering: false)}",
            SendState.MaybeSent => $"interrupted while sending txid {txId} to the orderer{Consequence(sendState, ordering: false)}",
            _ => "interrupted before the transaction was sent to the orderer",
        })
        {
            TxId = txId,
            SendState = sendState,
            GrpcStatus = StatusCode.Cancelled,
            NamesTxId = sendState != SendState.NotSent,
        };

    /// <summary>A channel configuration that lists no orderer endpoints, so discovery found none.</summary>
    public static FabricInvokeException NoOrdererEndpoints(string channelId, string peer) =>
        new(FailureKind.Config, $"the configuration of channel {channelId} (from peer {peer}) lists no orderer endpoints; {RemedyPhrase(Remedy.GiveOrderer)}")
        {
            Remedy = Remedy.GiveOrderer,
        };

    /// <summary>No orderer endpoint to send the transaction to.</summary>
    public static FabricInvokeException NoOrdererGiven() =>
        new(FailureKind.Usage, RemedyPhrase(Remedy.OrdererRequired)) { Remedy = Remedy.OrdererRequired };

    /// <summary>
    /// The words a message with <paramref name="remedy"/> holds for it, in Fabric terms, exactly once: a front end may
    /// replace them with its own (a flag name). Empty for <see cref="Remedy.None"/>.
    /// </summary>
    internal static string RemedyPhrase(Remedy remedy) => remedy switch
    {
        Remedy.OrdererRequired => "no orderer endpoint was given and none could be discovered",
        Remedy.GiveOrderer => "give an orderer endpoint",
        Remedy.CommitPolicy => "the commit policy ",
        Remedy.EventStreamTimeout => " (the event stream's time limit ran out)",
        Remedy.ReconnectWindow => " (the event stream's reconnect window ran out)",
        _ => string.Empty,
    };

    /// <summary>Formats a duration the way Fabric users write it (30s, 1.5s, 250ms).</summary>
    public static string FormatDuration(TimeSpan d) => Text.Duration(d);

    /// <summary>The word the peer CLI's messages use for an operation: "invoke" or "query".</summary>
    internal static string Word(FabricInvoke.Core.Endorsement.EndorseOperation operation) => operation == FabricInvoke.Core.Endorsement.EndorseOperation.Query ? "query" : "invoke";

    /// <summary>A value as messages quote it: one line, and cut (with its length) when longer than 200 characters.</summary>
    public static string Shorten(string value) => Text.Shorten(value);

    /// <summary>Text made safe for one output line: line breaks and control characters shown escaped, long quoted values cut.</summary>
    public static string OneLine(string text) => Text.Bounded(Text.OneLine(text));

    /// <summary>What the send state means for the user, as the end of the message.</summary>
    private static string Consequence(SendState state, bool ordering) => state switch
    {
        SendState.Sent => "; the transaction was sent to the orderer and may still commit",
        SendState.MaybeSent when ordering => "; the transaction may still be ordered: re-check the txid before re-submitting",
        SendState.MaybeSent => "; the transaction may have been sent to the orderer and may still commit: re-check the txid before re-submitting",
        _ when !ordering => "; the transaction was not sent to the orderer",
        _ => string.Empty,
    };
}
