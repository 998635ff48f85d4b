using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;

namespace FabricInvoke.Core.Gateway;

/// <summary>
/// The peer Gateway service (Fabric ≥ 2.4) as another way through the same stages: the gateway peer endorses on the
/// organisations the chaincode's policy needs, orders, and reports the commit. The proposal, the transaction id and all
/// signatures are the client's, exactly as on the direct path; the results are the same stage types.
/// </summary>
internal sealed class GatewayClient
{
    private readonly PeerNode _gateway;
    private readonly SigningIdentity _signer;

    /// <summary>A client of the Gateway service of <paramref name="gateway"/>, signing with <paramref name="signer"/>.</summary>
    /// <param name="gateway">The peer whose Gateway service is used.</param>
    /// <param name="signer">Signs the proposal, the prepared transaction and the commit status request.</param>
    public GatewayClient(PeerNode gateway, SigningIdentity signer)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(signer);
        _gateway = gateway;
        _signer = signer;
    }

    /// <summary>The gateway peer's address.</summary>
    public string Address => _gateway.Address;

    /// <summary>Endorse: the gateway collects endorsements; the client signs the prepared transaction.</summary>
    /// <param name="endorsingOrganizations">Restricts endorsement to these MSP ids (none: the gateway decides from the policy).</param>
    /// <exception cref="FabricInvokeException">Connection (gateway unreachable) or Endorsement (with every endpoint's ErrorDetail).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<EndorsedTransaction> EndorseAsync(
        SignedChaincodeProposal proposal, IReadOnlyList<string> endorsingOrganizations, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var time = _gateway.Connection.Time;
        var started = time.GetTimestamp();
        var response = await CallAsync(
            FabricCalls.GatewayEndorse, GatewayRequests.Endorse(proposal, endorsingOrganizations ?? []), requestTimeout, cancellationToken,
            (e, details) => Failures.GatewayEndorsement(proposal.TxId, Address, GatewayStatus.Describe(e, details), e.StatusCode, details, inner: e),
            proposal.TxId).ConfigureAwait(false);
        if (response.PreparedTransaction is null)
        {
            throw Failures.GatewayEndorsement(proposal.TxId, Address, "the gateway answered without a prepared transaction", StatusCode.Internal, []);
        }

        var (connect, tls) = _gateway.Connection.Timings.EstablishedSince(started, time);
        var elapsed = time.GetElapsedTime(started);
        var endorsement = new PeerEndorsement(Address, null, 0, string.Empty, elapsed, connect, tls);
        try
        {
            return EndorsedTransaction.FromGateway(proposal, response.PreparedTransaction, endorsement, elapsed);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            throw Failures.GatewayEndorsement(proposal.TxId, Address, $"the gateway's prepared transaction is not an endorsed transaction ({e.Message})", StatusCode.Internal, [], inner: e);
        }
    }

    /// <summary>Evaluate: the gateway runs the chaincode on one peer and returns its answer; nothing is ordered.</summary>
    /// <exception cref="FabricInvokeException">Connection or Endorsement (with every endpoint's ErrorDetail).</exception>
    public async Task<ChaincodeResponse> EvaluateAsync(
        SignedChaincodeProposal proposal, IReadOnlyList<string> targetOrganizations, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var response = await CallAsync(
            FabricCalls.GatewayEvaluate, GatewayRequests.Evaluate(proposal, targetOrganizations ?? []), requestTimeout, cancellationToken,
            (e, details) => Failures.GatewayEndorsement(proposal.TxId, Address, GatewayStatus.Describe(e, details), e.StatusCode, details, evaluate: true, inner: e),
            proposal.TxId).ConfigureAwait(false);
        var result = response.Result ?? new Response();
        return new ChaincodeResponse(result.Status, result.Message, result.Payload.ToByteArray());
    }

    /// <summary>Submit: the gateway orders the client-signed transaction.</summary>
    /// <exception cref="FabricInvokeException">
    /// Connection (the gateway unreachable: nothing sent), Ordering (refused; or no answer in time: it may still be ordered),
    /// Interrupted.
    /// </exception>
    public async Task<SubmittedTransaction> SubmitAsync(EndorsedTransaction transaction, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var time = _gateway.Connection.Time;
        var started = time.GetTimestamp();
        var request = new Protos.Gateway.SubmitRequest
        {
            TransactionId = transaction.TxId,
            ChannelId = transaction.Proposal.ChannelId,
            PreparedTransaction = transaction.Envelope,
        };
        try
        {
            await CallAsync(
                FabricCalls.GatewaySubmit, request, requestTimeout, cancellationToken,
                (e, details) => Failures.GatewaySubmit(transaction.TxId, Address, GatewayStatus.Describe(e, details), e.StatusCode, details,
                    e.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Unknown ? SendState.MaybeSent : SendState.NotSent, e),
                transaction.TxId).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw Failures.Interrupted(transaction.TxId, SendState.MaybeSent);
        }

        return new SubmittedTransaction(transaction, Address, time.GetElapsedTime(started), time.GetTimestamp(), throughGateway: true);
    }

    /// <summary>CommitStatus: waits until the gateway peer has committed the transaction and returns its validation code.</summary>
    /// <param name="timeout">The commit wait (--waitForEventTimeout).</param>
    /// <param name="onCommit">Told about the gateway peer's report (also an invalid one).</param>
    /// <exception cref="FabricInvokeException">Invalidated, CommitTimeout, Deliver (the gateway failed), Connection.</exception>
    public async Task<CommitStatus> CommitStatusAsync(
        SubmittedTransaction transaction, TimeSpan timeout, Action<PeerCommit>? onCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var time = _gateway.Connection.Time;
        var request = GatewayRequests.CommitStatus(transaction.TxId, transaction.Endorsed.Proposal.ChannelId, _signer);
        Protos.Gateway.CommitStatusResponse response;
        try
        {
            response = await CallAsync(
                FabricCalls.GatewayCommitStatus, request, timeout, cancellationToken,
                (e, details) => e.StatusCode == StatusCode.DeadlineExceeded
                    ? Failures.CommitTimeout(transaction.TxId, timeout, [Address])
                    : Failures.GatewayCommitStatus(transaction.TxId, Address, GatewayStatus.Describe(e, details), e.StatusCode, details, e),
                transaction.TxId,
                deadlineIsTimeout: true).ConfigureAwait(false);
        }
        catch (FabricInvokeException e) when (e.Kind == FailureKind.Connection)
        {
            // Reached before (it endorsed and submitted): losing it now is a failed commit wait, not "nothing was sent".
            throw Failures.GatewayCommitStatus(transaction.TxId, Address, e.Message, StatusCode.Unavailable, [], e);
        }

        var commit = new PeerCommit(Address, response.Result, response.BlockNumber, time.GetElapsedTime(transaction.AcceptedAt));
        onCommit?.Invoke(commit);
        return commit.IsValid
            ? new CommitStatus(transaction.TxId, [commit], commit.Latency)
            : throw Failures.Invalidated(transaction.TxId, Address, commit.Code, commit.BlockNumber);
    }

    /// <summary>One unary call with the connect retry, the deadline, and the gateway's error words.</summary>
    private async Task<TResponse> CallAsync<TRequest, TResponse>(
        Method<TRequest, TResponse> method,
        TRequest request,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        Func<RpcException, IReadOnlyList<EndpointDetail>, FabricInvokeException> failure,
        string txId,
        bool deadlineIsTimeout = false)
        where TRequest : class
        where TResponse : class
    {
        var time = _gateway.Connection.Time;
        try
        {
            return await ConnectRetry.RunAsync(
                () => _gateway.Calls.AsyncUnaryCall(method, null, new CallOptions(deadline: time.GetUtcNow().UtcDateTime + timeout, cancellationToken: cancellationToken), request).ResponseAsync,
                _gateway.Connection,
                cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
        {
            throw Failures.Connection("gateway peer", Address, RpcFailure.Describe(e, _gateway.Connection), e, txId, needsClientCertificate: RpcFailure.NeedsClientCertificate(e, _gateway.Connection));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The channel may report a passed deadline as a cancellation.
            var deadline = new RpcException(new Status(StatusCode.DeadlineExceeded, deadlineIsTimeout ? "timed out" : $"no response within {Failures.FormatDuration(timeout)} {RpcFailure.RequestTimeoutPhrase}", e));
            throw failure(deadline, []);
        }
        catch (RpcException e)
        {
            throw failure(e, GatewayStatus.Details(e));
        }
    }
}
