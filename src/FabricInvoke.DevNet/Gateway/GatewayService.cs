using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Peer;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Gateway;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;

using FabricStatus = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Gateway;

/// <summary>
/// The peer's <c>gateway.Gateway</c> service as a Fabric v2.4 peer runs it (internal/pkg/gateway): Endorse on the
/// gateway's own organisation first, then on as many other organisations as the chaincode's endorsement policy needs
/// (DevNet's is MAJORITY of the application organisations) or exactly the organisations the client names; Submit to the
/// orderer; CommitStatus from this peer's own ledger; Evaluate on one peer, this one preferred; ChaincodeEvents from this
/// peer's blocks. Status codes, messages and ErrorDetails are those of a real gateway. Like a Fabric gateway, it calls its
/// own endorser in-process and every other node over TLS gRPC (<see cref="GatewayConnections"/>), so a node that is
/// down, slow or refusing is seen exactly as a real gateway sees it.
/// </summary>
internal sealed class GatewayService(
    DevPeerNode self, ProposalProcessor localEndorser, GatewayDirectory network, GatewayConnections connections, CommitIndex commits, NodeLifetime lifetime)
    : Protos.Gateway.Gateway.GatewayBase
{
    private const string ReadersPolicy = "/Channel/Application/Readers";

    /// <summary>Bound on one endorsement by another peer, and on one broadcast (a v2.4 gateway's defaults are 30 s).</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public override async Task<EndorseResponse> Endorse(EndorseRequest request, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        var cancellationToken = linked.Token;
        var signedProposal = request.ProposedTransaction;
        if (signedProposal is null || signedProposal.ProposalBytes.IsEmpty)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "the proposed transaction must contain a signed proposal"));
        }

        var unpacked = Unpack(signedProposal, out var problem);
        if (unpacked is null)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, problem!));
        }

        var (header, channelHeader, payload, chaincodeId) = unpacked.Value;
        var channel = channelHeader.ChannelId;
        var hasTransientData = payload.TransientMap.Count > 0;

        EndorsementPlan plan;
        if (request.EndorsingOrganizations.Count > 0)
        {
            // The client chose the organisations, and answers for the policy being met.
            plan = PlanForOrgs(channel, chaincodeId, request.EndorsingOrganizations, out var missing)
                ?? throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"failed to find any endorsing peers for org(s): {string.Join(", ", missing)}"));
        }
        else
        {
            plan = await PlanFromFirstEndorserAsync(channel, chaincodeId, hasTransientData, signedProposal, cancellationToken).ConfigureAwait(false);
        }

        while (plan.Completed is null)
        {
            var endorsers = plan.Endorsers();
            if (endorsers is null)
            {
                break;
            }

            await Task.WhenAll(endorsers.Select(async first =>
            {
                for (var endorser = first; endorser is not null; endorser = plan.NextPeerInGroup(endorser))
                {
                    if (await ProcessProposalAsync(plan, endorser, signedProposal, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }
                }
            })).ConfigureAwait(false);
        }

        if (plan.Completed is not { } completed)
        {
            throw GatewayErrors.Error(StatusCode.Aborted, "failed to collect enough transaction endorsements, see attached details for more info", plan.Errors);
        }

        var action = new ChaincodeEndorsedAction { ProposalResponsePayload = plan.ResponsePayload };
        action.Endorsements.AddRange(Unique(completed.Endorsements));
        return new EndorseResponse { PreparedTransaction = PrepareTransaction(header, payload, action) };
    }

    public override async Task<EvaluateResponse> Evaluate(EvaluateRequest request, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        var cancellationToken = linked.Token;
        var signedProposal = request.ProposedTransaction;
        string? problem = "a signed proposal is required";
        var unpacked = signedProposal is null || signedProposal.ProposalBytes.IsEmpty ? null : Unpack(signedProposal, out problem);
        if (unpacked is not null)
        {
            problem = ProposalProblem(unpacked.Value);
        }

        if (problem is not null)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, $"failed to unpack transaction proposal: {problem}"));
        }

        var (_, channelHeader, payload, chaincodeId) = unpacked!.Value;
        var channel = channelHeader.ChannelId;
        if (channel != network.ChannelId)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"failed to get config for channel [{channel}]: could not get last config for channel {channel}"));
        }

        IReadOnlyList<string> targetOrgs = request.TargetOrganizations;
        var transientProtected = false;
        if (payload.TransientMap.Count > 0 && targetOrgs.Count == 0)
        {
            targetOrgs = [self.Identity.MspId];
            transientProtected = true;
        }

        var byOrg = network.EndorsersByOrg(channel, chaincodeId, self);
        if (targetOrgs.Count == 0)
        {
            targetOrgs = byOrg.Keys.ToList();
        }

        var local = new List<DevPeerNode>();
        var others = new List<DevPeerNode>();
        foreach (var org in targetOrgs)
        {
            if (byOrg.TryGetValue(org, out var peers))
            {
                (org == self.Identity.MspId ? local : others).AddRange(peers);
            }
        }

        var candidates = local.Concat(others.OrderByDescending(p => p.Blocks.Height)).ToList();
        if (candidates.Count == 0)
        {
            var noPeers = $"no peers available to evaluate chaincode {chaincodeId} in channel {channel}";
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, transientProtected
                ? $"no endorsers found in the gateway's organization; retry specifying target organization(s) to protect transient data: {noPeers}"
                : noPeers));
        }

        var details = new List<ErrorDetail>();
        foreach (var endorser in candidates)
        {
            var outcome = await CallEndorserAsync(endorser, signedProposal!, cancellationToken).ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                var result = outcome.Response!.Response.Clone();

                // The transaction's result is the endorsed chaincode action's payload, preferred over the response's.
                if (ResultOf(outcome.Response) is { } fromAction)
                {
                    result.Payload = fromAction;
                }

                return new EvaluateResponse { Result = result };
            }

            details.Add(GatewayErrors.Detail(network.AddressOf(endorser), endorser.Identity.MspId, outcome.Message));
            if (!outcome.Retry)
            {
                throw GatewayErrors.Error(outcome.Code, "evaluate call to endorser returned error: " + outcome.Message, details);
            }

            if (endorser == candidates[^1])
            {
                throw GatewayErrors.Error(outcome.Code, "failed to evaluate transaction, see attached details for more info", details);
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    public override async Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        var transaction = request.PreparedTransaction
            ?? throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "a prepared transaction is required"));
        if (transaction.Signature.IsEmpty)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "prepared transaction must be signed"));
        }

        if (request.ChannelId != network.ChannelId)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition,
                $"failed to get config for channel [{request.ChannelId}]: could not get last config for channel {request.ChannelId}"));
        }

        // The channel has one orderer; a Fabric gateway tries each in random order.
        BroadcastResponse response;
        try
        {
            response = await BroadcastAsync(network.OrdererAddress, transaction, linked.Token).ConfigureAwait(false);
        }
        catch (RpcException e) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw GatewayErrors.Error(StatusCode.Unavailable, "no orderers could successfully process transaction",
                [GatewayErrors.Detail(network.OrdererAddress, network.Orderer.Identity.MspId, GatewayErrors.GoText(e))]);
        }

        if (response.Status == FabricStatus.Success)
        {
            return new SubmitResponse();
        }

        if ((int)response.Status is >= 400 and < 500)
        {
            // The client's error: no other orderer would answer differently.
            throw GatewayErrors.Error(StatusCode.Aborted,
                $"received unsuccessful response from orderer: status={FabricStatusName(response.Status)}, info={response.Info}");
        }

        // A status (as opposed to a failed call) adds no ErrorDetail.
        throw GatewayErrors.Error(StatusCode.Unavailable, "no orderers could successfully process transaction");
    }

    /// <summary>The request inside a signed CommitStatus or ChaincodeEvents request, refused as a v2.4 gateway refuses it when absent or malformed.</summary>
    private static T ParseSignedRequest<T>(ByteString bytes, MessageParser<T> parser, string missing, string invalid)
        where T : IMessage<T>
    {
        if (bytes.IsEmpty)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, missing));
        }

        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, $"{invalid}: {e.Message}"));
        }
    }

    public override async Task<CommitStatusResponse> CommitStatus(SignedCommitStatusRequest request, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        var statusRequest = ParseSignedRequest(request.Request, CommitStatusRequest.Parser, "a commit status request is required", "invalid status request");
        CheckReaders(statusRequest.ChannelId, request.Request, statusRequest.Identity, request.Signature);
        CommittedTransaction committed;
        try
        {
            committed = await commits.WaitAsync(statusRequest.TransactionId, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested || lifetime.Stopping.IsCancellationRequested)
        {
            throw new RpcException(new Grpc.Core.Status(
                context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
                context.Deadline <= DateTime.UtcNow ? "context deadline exceeded" : "context canceled"));
        }

        return new CommitStatusResponse { Result = committed.Code, BlockNumber = committed.BlockNumber };
    }

    public override async Task ChaincodeEvents(SignedChaincodeEventsRequest request, IServerStreamWriter<ChaincodeEventsResponse> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.Stopping);
        var cancellationToken = linked.Token;
        var eventsRequest = ParseSignedRequest(request.Request, ChaincodeEventsRequest.Parser, "a chaincode events request is required", "invalid chaincode events request");
        CheckReaders(eventsRequest.ChannelId, request.Request, eventsRequest.Identity, request.Signature);
        var start = StartBlock(eventsRequest);
        var afterTxId = eventsRequest.AfterTransactionId;
        var passedAfter = afterTxId.Length == 0;
        try
        {
            for (var number = start; ; number++)
            {
                await commits.Blocks.WaitForBlockAsync(number, cancellationToken).ConfigureAwait(false);
                var response = new ChaincodeEventsResponse { BlockNumber = number };
                foreach (var ccEvent in CommitIndex.EventsOf(commits.Blocks.Get(number)!))
                {
                    // Resuming: every event up to and including the given transaction's is skipped.
                    if (!passedAfter)
                    {
                        passedAfter = ccEvent.TxId == afterTxId;
                        continue;
                    }

                    if (ccEvent.ChaincodeId == eventsRequest.ChaincodeId)
                    {
                        response.Events.Add(ccEvent);
                    }
                }

                if (response.Events.Count > 0)
                {
                    await responseStream.WriteAsync(response, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away, or the network is stopping: the stream ends.
        }
    }

    /// <summary>Where a ChaincodeEvents stream starts: the block of after_transaction_id when it is on the ledger, else the start position.</summary>
    private ulong StartBlock(ChaincodeEventsRequest request)
    {
        if (request.AfterTransactionId.Length > 0 && commits.Find(request.AfterTransactionId) is { } committed)
        {
            return committed.BlockNumber;
        }

        var position = request.StartPosition;
        return position?.TypeCase switch
        {
            null or SeekPosition.TypeOneofCase.None or SeekPosition.TypeOneofCase.NextCommit => commits.Blocks.Height,
            SeekPosition.TypeOneofCase.Specified => position.Specified.Number,

            // A v2.4 gateway takes no Oldest or Newest: a client asks for block 0, or for the next commit.
            _ => throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument,
                $"invalid start position type: *orderer.SeekPosition_{position.TypeCase}")),
        };
    }

    /// <summary>
    /// The gateway's ACL check for CommitStatus and ChaincodeEvents (the channel's Readers policy over the signed
    /// request), worded as the peer's policy checker words a refusal.
    /// </summary>
    private void CheckReaders(string channelId, ByteString data, ByteString identity, ByteString signature)
    {
        if (channelId.Length == 0)
        {
            throw PermissionDenied("Invalid channel ID name during check policy on signed data. Name must be different from nil.");
        }

        if (channelId != network.ChannelId)
        {
            throw PermissionDenied($"Failed to get policy manager for channel [{channelId}]");
        }

        var reader = network.Msp.Check(identity).Identity;
        if (reader is null || !reader.Member.IsApplicationOrg || signature.IsEmpty || !reader.Verify(data.Span, signature.Span))
        {
            throw PermissionDenied(
                $"Failed evaluating policy on signed data during check policy on channel [{channelId}] with policy [{ReadersPolicy}]: " +
                "[implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Readers' sub-policies to be satisfied]");
        }
    }

    /// <summary>
    /// The gateway's first step without named organisations: endorse on a peer of its own organisation (the next one
    /// when one fails), then plan the rest from the endorsement policy with that organisation's layouts first.
    /// </summary>
    private async Task<EndorsementPlan> PlanFromFirstEndorserAsync(
        string channel, string chaincodeId, bool hasTransientData, SignedProposal signedProposal, CancellationToken cancellationToken)
    {
        var plan = PlanForOrgs(channel, chaincodeId, [self.Identity.MspId], out _);
        if (plan is null)
        {
            if (hasTransientData)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition,
                    "no endorsers found in the gateway's organization; retry specifying endorsing organization(s) to protect transient data"));
            }

            // Discovery knows no chaincode of that name on that channel.
            plan = PolicyPlan(channel, chaincodeId, preferredOrg: null)
                ?? throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition,
                    $"no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode {chaincodeId} in channel {channel}"));
        }

        var details = new List<ErrorDetail>();
        var first = plan.Endorsers()![0];
        EndorserOutcome outcome;
        while (true)
        {
            outcome = await CallEndorserAsync(first, signedProposal, cancellationToken).ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                break;
            }

            details.Add(GatewayErrors.Detail(network.AddressOf(first), first.Identity.MspId, outcome.Message));
            first = plan.NextPeerInGroup(first)
                ?? throw GatewayErrors.Error(StatusCode.Aborted, "failed to endorse transaction, see attached details for more info", details);
        }

        var policyPlan = PolicyPlan(channel, chaincodeId, first.Identity.MspId)
            ?? throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition,
                "no combination of peers can be derived which satisfy the endorsement policy: required chaincodes are not installed on sufficient peers"));
        policyPlan.ProcessEndorsement(first, network.AddressOf(first), WithoutResponsePayload(outcome.Response!));
        return policyPlan;
    }

    /// <summary>One layout: one peer of each of <paramref name="orgs"/>; null (with the orgs that have none) when an org has no peer.</summary>
    private EndorsementPlan? PlanForOrgs(string channel, string chaincodeId, IEnumerable<string> orgs, out List<string> missing)
    {
        var byOrg = network.EndorsersByOrg(channel, chaincodeId, self);
        var required = new Dictionary<string, int>(StringComparer.Ordinal);
        var groups = new Dictionary<string, List<DevPeerNode>>(StringComparer.Ordinal);
        missing = [];
        foreach (var org in orgs)
        {
            if (byOrg.TryGetValue(org, out var peers))
            {
                groups[org] = peers;
                required[org] = 1;
            }
            else
            {
                missing.Add(org);
            }
        }

        return missing.Count > 0 ? null : new EndorsementPlan([required], groups);
    }

    /// <summary>
    /// What discovery derives from DevNet's endorsement policy (MAJORITY of the application organisations): every set of
    /// a majority of the organisations, one peer each; those with <paramref name="preferredOrg"/> first.
    /// </summary>
    private EndorsementPlan? PolicyPlan(string channel, string chaincodeId, string? preferredOrg)
    {
        var byOrg = network.EndorsersByOrg(channel, chaincodeId, self);
        var orgs = network.Msp.ApplicationOrgs.Select(o => o.MspId).Where(byOrg.ContainsKey).ToList();
        var needed = network.Msp.ApplicationOrgs.Count / 2 + 1;
        if (orgs.Count < needed)
        {
            return null;
        }

        var layouts = Combinations(orgs, needed)
            .OrderBy(c => preferredOrg is not null && c.Contains(preferredOrg) ? 0 : 1)
            .Select(c => (IReadOnlyDictionary<string, int>)c.ToDictionary(o => o, _ => 1, StringComparer.Ordinal))
            .ToList();
        return new EndorsementPlan(layouts, byOrg);
    }

    /// <summary>Endorses on <paramref name="endorser"/> and records the outcome in <paramref name="plan"/>; true when it counted.</summary>
    private async Task<bool> ProcessProposalAsync(EndorsementPlan plan, DevPeerNode endorser, SignedProposal signedProposal, CancellationToken cancellationToken)
    {
        var outcome = await CallEndorserAsync(endorser, signedProposal, cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            plan.AddError(GatewayErrors.Detail(network.AddressOf(endorser), endorser.Identity.MspId, outcome.Message));
            return false;
        }

        return plan.ProcessEndorsement(endorser, network.AddressOf(endorser), WithoutResponsePayload(outcome.Response!));
    }

    /// <summary>ProcessProposal on <paramref name="endorser"/>: in-process on this peer, over gRPC on any other (as a Fabric gateway does).</summary>
    private async Task<EndorserOutcome> CallEndorserAsync(DevPeerNode endorser, SignedProposal signedProposal, CancellationToken cancellationToken)
    {
        var local = endorser == self;
        try
        {
            var response = local
                ? await localEndorser.ProcessAsync(signedProposal, cancellationToken).ConfigureAwait(false)
                : await new Endorser.EndorserClient(connections.For(network.AddressOf(endorser)))
                    .ProcessProposalAsync(signedProposal, deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
            return GatewayErrors.Classify(response, null, local);
        }
        catch (RpcException e)
        {
            return GatewayErrors.Classify(null, e, local);
        }
    }

    /// <summary>One envelope on the orderer's Broadcast stream, and its answer.</summary>
    /// <exception cref="RpcException">The orderer could not be reached, or ended the stream without an answer.</exception>
    private async Task<BroadcastResponse> BroadcastAsync(string address, Envelope transaction, CancellationToken cancellationToken)
    {
        var client = new AtomicBroadcast.AtomicBroadcastClient(connections.For(address));
        using var call = client.Broadcast(deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(transaction, cancellationToken).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "the orderer ended the broadcast stream without an answer"));
        }

        var response = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return response;
    }

    /// <summary>Header, channel header, proposal payload and chaincode name of a signed proposal; null with the problem when it does not decode.</summary>
    private static (Header Header, ChannelHeader ChannelHeader, ChaincodeProposalPayload Payload, string ChaincodeId)? Unpack(SignedProposal signedProposal, out string? problem)
    {
        problem = null;
        string stage = "Proposal";
        try
        {
            var proposal = Proposal.Parser.ParseFrom(signedProposal.ProposalBytes);
            stage = "Header";
            var header = Header.Parser.ParseFrom(proposal.Header);
            stage = "ChannelHeader";
            var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
            stage = "ChaincodeProposalPayload";
            var payload = ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload);
            stage = "ChaincodeInvocationSpec";
            var spec = ChaincodeInvocationSpec.Parser.ParseFrom(payload.Input);
            return (header, channelHeader, payload, spec.ChaincodeSpec?.ChaincodeId?.Name ?? "");
        }
        catch (InvalidProtocolBufferException e)
        {
            problem = $"error unmarshalling {stage}: {e.Message}";
            return null;
        }
    }

    /// <summary>Evaluate's extra checks on an unpacked proposal (a channel and a chaincode name are required).</summary>
    private static string? ProposalProblem((Header Header, ChannelHeader ChannelHeader, ChaincodeProposalPayload Payload, string ChaincodeId) u)
    {
        if (u.ChannelHeader.ChannelId.Length == 0)
        {
            return "no channel id provided";
        }

        return u.ChaincodeId.Length == 0 ? $"no chaincode name is provided, channel id [{u.ChannelHeader.ChannelId}]" : null;
    }

    /// <summary>The endorsed ChaincodeAction's response payload (the transaction's result), or null when it does not decode.</summary>
    private static ByteString? ResultOf(ProposalResponse response)
    {
        try
        {
            var payload = ProposalResponsePayload.Parser.ParseFrom(response.Payload);
            return ChaincodeAction.Parser.ParseFrom(payload.Extension).Response?.Payload;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>The gateway drops the duplicate of the result carried in Response.payload.</summary>
    private static ProposalResponse WithoutResponsePayload(ProposalResponse response)
    {
        var copy = response.Clone();
        if (copy.Response is not null)
        {
            copy.Response.Payload = ByteString.Empty;
        }

        return copy;
    }

    /// <summary>The unsigned transaction envelope, built as the gateway builds it (the proposal's header, no transient map).</summary>
    internal static Envelope PrepareTransaction(Header header, ChaincodeProposalPayload payload, ChaincodeEndorsedAction action)
    {
        var actionPayload = new ChaincodeActionPayload
        {
            ChaincodeProposalPayload = new ChaincodeProposalPayload { Input = payload.Input }.ToByteString(),
            Action = action,
        };
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction { Header = header.SignatureHeader, Payload = actionPayload.ToByteString() });
        return new Envelope { Payload = new Payload { Header = header, Data = transaction.ToByteString() }.ToByteString() };
    }

    private static IEnumerable<Endorsement> Unique(IEnumerable<Endorsement> endorsements)
    {
        var used = new HashSet<ByteString>();
        return endorsements.Where(e => e is not null && used.Add(e.Endorser));
    }

    private static IEnumerable<List<string>> Combinations(List<string> items, int size)
    {
        if (size == 0)
        {
            yield return [];
            yield break;
        }

        for (var i = 0; i <= items.Count - size; i++)
        {
            foreach (var rest in Combinations(items.Skip(i + 1).ToList(), size - 1))
            {
                rest.Insert(0, items[i]);
                yield return rest;
            }
        }
    }

    /// <summary>Fabric's name of a common.Status (SERVICE_UNAVAILABLE, FORBIDDEN, …).</summary>
    private static string FabricStatusName(FabricStatus status) =>
        string.Concat(status.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    private static RpcException PermissionDenied(string message) => new(new Grpc.Core.Status(StatusCode.PermissionDenied, message));
}
