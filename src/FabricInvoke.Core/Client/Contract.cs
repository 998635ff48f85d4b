using System.Security.Cryptography;
using System.Text;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Gateway;
using FabricInvoke.Core.Internal;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core;

/// <summary>What a proposal invokes besides the function name.</summary>
public sealed class ProposalOptions
{
    /// <summary>The function's arguments.</summary>
    public IReadOnlyList<byte[]> Arguments { get; init; } = [];

    /// <summary>Private data for the chaincode, kept out of the transaction.</summary>
    public IReadOnlyDictionary<string, byte[]> Transient { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>Through a Gateway: endorse only on these organisations' peers (none: the gateway decides from the policy).</summary>
    public IReadOnlyList<string> EndorsingOrganizations { get; init; } = [];
}

/// <summary>One chaincode on one channel: submit and evaluate its functions, or build proposals to run the stages yourself.</summary>
public sealed class Contract
{
    private readonly FabricClient _client;

    internal Contract(FabricClient client, FabricNetwork network, string chaincodeName)
    {
        _client = client;
        Network = network;
        ChaincodeName = chaincodeName;
    }

    /// <summary>The channel.</summary>
    public FabricNetwork Network { get; }

    /// <summary>The chaincode's name.</summary>
    public string ChaincodeName { get; }

    // The SubmitAsync overloads take their token explicitly, each with a twin without one: overloads with optional
    // parameters (the token) would make later additions ambiguous (the public API analyzer's RS0026/RS0027).

    /// <summary>
    /// Endorses, submits and waits for the commit of <paramref name="function"/>(<paramref name="arguments"/>).
    /// </summary>
    /// <param name="function">The chaincode function.</param>
    /// <param name="arguments">Its arguments, as UTF-8 strings.</param>
    /// <param name="cancellationToken">Stops waiting (a submitted transaction may still commit).</param>
    /// <returns>The chaincode's response payload.</returns>
    /// <exception cref="EndorseException">Endorsement failed: nothing was ordered.</exception>
    /// <exception cref="SubmitException">Ordering failed (see <see cref="FabricInvokeException.MayHaveCommitted"/>).</exception>
    /// <exception cref="CommitStatusException">The commit wait failed: the outcome is unknown.</exception>
    /// <exception cref="CommitException">The transaction committed with a validation code other than VALID.</exception>
    public Task<byte[]> SubmitAsync(string function, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        SubmitAsync(function, new ProposalOptions { Arguments = Utf8(arguments) }, cancellationToken);

    /// <summary>As <see cref="SubmitAsync(string, IEnumerable{string}, CancellationToken)"/>, without cancellation.</summary>
    /// <param name="function">The chaincode function.</param>
    /// <param name="arguments">Its arguments, as UTF-8 strings.</param>
    /// <returns>The chaincode's response payload.</returns>
    public Task<byte[]> SubmitAsync(string function, IEnumerable<string> arguments) => SubmitAsync(function, arguments, CancellationToken.None);

    /// <summary>As <see cref="SubmitAsync(string, IEnumerable{string}, CancellationToken)"/>, with byte arguments and transient data.</summary>
    /// <param name="function">The chaincode function.</param>
    /// <param name="options">Arguments, transient data, endorsing organisations.</param>
    /// <returns>The chaincode's response payload.</returns>
    public Task<byte[]> SubmitAsync(string function, ProposalOptions options) => SubmitAsync(function, options, CancellationToken.None);

    /// <summary>As <see cref="SubmitAsync(string, IEnumerable{string}, CancellationToken)"/>, with byte arguments and transient data.</summary>
    /// <param name="function">The chaincode function.</param>
    /// <param name="options">Arguments, transient data, endorsing organisations.</param>
    /// <param name="cancellationToken">Stops waiting (a submitted transaction may still commit).</param>
    /// <returns>The chaincode's response payload.</returns>
    public async Task<byte[]> SubmitAsync(string function, ProposalOptions options, CancellationToken cancellationToken)
    {
        // Endorsed with the submit readied alongside (deliver streams, broadcast stream, orderer discovery): the
        // composition the CLI's invoke runs, too.
        var transaction = await NewProposal(function, options).EndorseAsync(prepareSubmit: true, cancellationToken).ConfigureAwait(false);
        using var commit = await transaction.SubmitAsync(cancellationToken).ConfigureAwait(false);
        await commit.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        return transaction.Result;
    }

    /// <summary>Evaluates <paramref name="function"/>(<paramref name="arguments"/>) on one peer (or the gateway): nothing is ordered.</summary>
    /// <param name="function">The chaincode function.</param>
    /// <param name="arguments">Its arguments, as UTF-8 strings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The chaincode's response payload.</returns>
    /// <exception cref="EndorseException">The peer refused, or the chaincode answered with an error status.</exception>
    public Task<byte[]> EvaluateAsync(string function, IEnumerable<string> arguments, CancellationToken cancellationToken = default) =>
        NewProposal(function, new ProposalOptions { Arguments = Utf8(arguments) }).EvaluateAsync(cancellationToken);

    /// <summary>
    /// A new proposal for <paramref name="function"/>: signed by the client's signer, or (a client without one) unsigned,
    /// for signing offline (<see cref="Proposal.Digest"/>, <see cref="Proposal.WithSignature"/>).
    /// </summary>
    /// <param name="function">The chaincode function.</param>
    /// <param name="options">Arguments, transient data, endorsing organisations; none by default.</param>
    /// <returns>The proposal, with its transaction id.</returns>
    /// <exception cref="FabricInvokeException">Usage: the transient map repeats a key.</exception>
    public Proposal NewProposal(string function, ProposalOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        options ??= new ProposalOptions();
        var invocation = new ChaincodeInvocation(
            Network.Name, ChaincodeName, [Encoding.UTF8.GetBytes(function), .. options.Arguments], options.Transient.ToList(), false);
        var (unsigned, createdAt) = SignedChaincodeProposal.CreateUnsigned(invocation, _client.Identity.Creator, _client.Time);
        var signed = _client.Options.Signer is null
            ? null
            : SignedChaincodeProposal.WithSignature(invocation, unsigned, _client.Signer.Sign(unsigned.ProposalBytes.Span), _client.Signer, createdAt);
        if (signed is not null)
        {
            _client.Observer.ProposalCreated(signed.TxId);
        }

        return new Proposal(_client, Network, invocation, unsigned, signed, options.EndorsingOrganizations, createdAt);
    }

    /// <summary>
    /// A proposal for an invocation built already (a front end's: its arguments, its init flag), signed by the client's
    /// signer; <paramref name="trace"/> records every stage of it as it completes.
    /// </summary>
    /// <exception cref="FabricInvokeException">Usage: the transient map repeats a key.</exception>
    internal Proposal NewProposal(ChaincodeInvocation invocation, IReadOnlyList<string> endorsingOrganizations, Invocation.InvokeTrace? trace)
    {
        var signed = SignedChaincodeProposal.Create(invocation, _client.Signer, _client.Time);
        trace?.Proposed(signed);
        _client.Observer.ProposalCreated(signed.TxId);
        return new Proposal(_client, Network, invocation, signed.Unsigned, signed, endorsingOrganizations, signed.CreatedAt) { Trace = trace };
    }

    private static List<byte[]> Utf8(IEnumerable<string> arguments) => arguments.Select(Encoding.UTF8.GetBytes).ToList();
}

/// <summary>
/// The first stage: a chaincode proposal with its transaction id. Signed (by the client's signer, or with
/// <see cref="WithSignature"/>), it can be endorsed (<see cref="EndorseAsync(CancellationToken)"/>) or evaluated. Immutable.
/// </summary>
public sealed class Proposal
{
    private readonly FabricClient _client;
    private readonly UnsignedProposal _unsigned;
    private readonly SignedChaincodeProposal? _signed;
    private readonly IReadOnlyList<string> _endorsingOrganizations;
    private readonly DateTimeOffset _createdAt;

    internal Proposal(
        FabricClient client, FabricNetwork network, ChaincodeInvocation invocation, UnsignedProposal unsigned, SignedChaincodeProposal? signed,
        IReadOnlyList<string> endorsingOrganizations, DateTimeOffset? createdAt = null)
    {
        _client = client;
        Network = network;
        Invocation = invocation;
        _unsigned = unsigned;
        _signed = signed;
        _endorsingOrganizations = endorsingOrganizations;
        _createdAt = createdAt ?? signed?.CreatedAt ?? client.Time.GetUtcNow();
    }

    /// <summary>The channel.</summary>
    public FabricNetwork Network { get; }

    /// <summary>What is invoked.</summary>
    internal ChaincodeInvocation Invocation { get; }

    /// <summary>Records the stages of this proposal as they complete (a front end's report); null for a library caller.</summary>
    internal Invocation.InvokeTrace? Trace { get; init; }

    /// <summary>The transaction id.</summary>
    public string TxId => _unsigned.TxId;

    /// <summary>The marshalled proposal: the bytes that are signed, and what <see cref="FabricNetwork.NewSignedProposal"/> takes back.</summary>
    public byte[] Bytes => _unsigned.ProposalBytes.ToByteArray();

    /// <summary>SHA-256 of <see cref="Bytes"/>: what an ECDSA signer that signs digests signs (an Ed25519 signer signs <see cref="Bytes"/>).</summary>
    public byte[] Digest => SHA256.HashData(_unsigned.ProposalBytes.Span);

    /// <summary>True when it carries a signature.</summary>
    public bool IsSigned => _signed is not null;

    /// <summary>This proposal with a signature made elsewhere over <see cref="Bytes"/> (offline signing).</summary>
    /// <param name="signature">The identity's signature.</param>
    /// <returns>The signed proposal.</returns>
    public Proposal WithSignature(byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var signed = SignedChaincodeProposal.WithSignature(Invocation, _unsigned, signature, _client.Signer, _createdAt);
        return new Proposal(_client, Network, Invocation, _unsigned, signed, _endorsingOrganizations, _createdAt) { Trace = Trace };
    }

    private SignedChaincodeProposal Signed => _signed ?? throw new InvalidOperationException("the proposal is not signed: sign its Digest (or Bytes) and use WithSignature");

    /// <summary>
    /// Endorses the proposal: directly on every peer (their answers must agree), or through the gateway.
    /// </summary>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The endorsed transaction, ready to submit.</returns>
    /// <exception cref="EndorseException">A peer refused or was unreachable, peers disagreed, or the chaincode answered with an error status.</exception>
    /// <exception cref="InvalidOperationException">The proposal is not signed.</exception>
    public Task<Transaction> EndorseAsync(CancellationToken cancellationToken = default) => EndorseAsync(prepareSubmit: false, cancellationToken);

    /// <summary>
    /// Endorses; with <paramref name="prepareSubmit"/> (direct path), readies the submit alongside
    /// (<see cref="SubmitPreparation"/>): the endorsement decides first, whatever finishes first — its failure stops
    /// the others (and resets the broadcast stream unused); theirs is reported only once the endorsement has
    /// succeeded, so one fault (a wrong MSP id, an unknown channel: refused by the endorsers and the deliver service
    /// alike) gives one failure. The commit wait's clock starts when the endorsements are in.
    /// </summary>
    internal async Task<Transaction> EndorseAsync(bool prepareSubmit, CancellationToken cancellationToken)
    {
        var signed = Signed;
        var connections = _client.Connections;
        using var activity = FabricClient.StartActivity("Endorse", TxId, Network.Name, Invocation.ChaincodeName, string.Join(",", connections.Peers.Select(p => p.Address)));
        if (_client.Options.Path == SubmitPath.Gateway)
        {
            try
            {
                var endorsed = await new GatewayClient(connections.Peers[0], _client.Signer)
                    .EndorseAsync(signed, _endorsingOrganizations, _client.Options.EndorseTimeout, cancellationToken).ConfigureAwait(false);
                return Endorsed(endorsed, null);
            }
            catch (FabricInvokeException e)
            {
                FabricClient.Failed(activity, e);
                throw StageFailure.Endorse(e);
            }
        }

        var preparation = prepareSubmit ? SubmitPreparation.Start(_client, signed, Trace, cancellationToken) : null;
        var endorsing = EndorseDirectlyAsync(signed, preparation, preparation?.Together.Token ?? cancellationToken);
        try
        {
            if (preparation is not null)
            {
                await FanOut.FirstDecides(endorsing, preparation.Alongside, preparation.Together).ConfigureAwait(false);
            }

            var transaction = await endorsing.ConfigureAwait(false);
            transaction.Preparation = preparation;
            return transaction;
        }
        catch (FabricInvokeException e)
        {
            preparation?.Dispose();
            FabricClient.Failed(activity, e);
            // What failed alongside a successful endorsement (a deliver stream, the discovery) concerns the submit.
            throw endorsing.IsCompletedSuccessfully ? StageFailure.Submit(e) : StageFailure.Endorse(e);
        }
        catch
        {
            preparation?.Dispose();
            throw;
        }
    }

    private async Task<Transaction> EndorseDirectlyAsync(SignedChaincodeProposal signed, SubmitPreparation? preparation, CancellationToken cancellationToken)
    {
        var endorsed = await Endorser.EndorseAsync(signed, _client.Connections.Peers, _client.Options.EndorseTimeout, cancellationToken).ConfigureAwait(false);
        preparation?.Deliver?.StartClock();
        return Endorsed(endorsed, preparation);
    }

    private Transaction Endorsed(EndorsedTransaction endorsed, SubmitPreparation? preparation)
    {
        Trace?.Endorsed(endorsed);
        _client.Observer.Endorsed(endorsed);
        ClientLog.Endorsed(_client.Logger, TxId, endorsed.Elapsed, null);
        return new Transaction(_client, Network, endorsed) { Trace = Trace, Preparation = preparation };
    }

    /// <summary>Evaluates the proposal on the first peer (or through the gateway): nothing is ordered.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The chaincode's response payload.</returns>
    /// <exception cref="EndorseException">The peer refused or was unreachable, or the chaincode answered with an error status.</exception>
    public async Task<byte[]> EvaluateAsync(CancellationToken cancellationToken = default)
    {
        var (response, by) = await EvaluateAsync(allPeers: false, cancellationToken).ConfigureAwait(false);
        return response.Status is >= 200 and < 400
            ? response.Payload
            : throw new EndorseException(Failures.Endorsement(TxId, by[0].Address, $"response: status:{response.Status} message:\"{response.Message}\"", chaincodeStatus: response.Status, operation: EndorseOperation.Query));
    }

    /// <summary>
    /// The evaluation: on the first peer (or, <paramref name="allPeers"/>, on every peer, whose answers must agree),
    /// or through the gateway, whose answer is returned whatever its status (a front end words an error status itself).
    /// </summary>
    internal async Task<(ChaincodeResponse Result, IReadOnlyList<PeerEndorsement> Endorsements)> EvaluateAsync(bool allPeers, CancellationToken cancellationToken)
    {
        var signed = Signed;
        var peers = _client.Connections.Peers;
        using var activity = FabricClient.StartActivity("Evaluate", TxId, Network.Name, Invocation.ChaincodeName, peers[0].Address);
        try
        {
            if (_client.Options.Path == SubmitPath.Gateway)
            {
                var time = _client.Time;
                var started = time.GetTimestamp();
                var gateway = new GatewayClient(peers[0], _client.Signer);
                var result = await gateway.EvaluateAsync(signed, _endorsingOrganizations, _client.Options.EndorseTimeout, cancellationToken).ConfigureAwait(false);
                var by = new PeerEndorsement(gateway.Address, null, result.Status, result.Message, time.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.Zero);
                Trace?.Evaluated(result, by, time.GetElapsedTime(started));
                return (result, [by]);
            }

            var endorsed = await Endorser.EndorseAsync(signed, allPeers ? peers : [peers[0]], _client.Options.EndorseTimeout, cancellationToken, EndorseOperation.Query).ConfigureAwait(false);
            Trace?.Endorsed(endorsed);
            _client.Observer.Endorsed(endorsed);
            return (endorsed.Result, endorsed.Endorsements);
        }
        catch (FabricInvokeException e)
        {
            FabricClient.Failed(activity, e);
            throw StageFailure.Endorse(e);
        }
    }
}

/// <summary>
/// The second stage: an endorsed transaction with the chaincode's answer. Signed (by the client's signer, or with
/// <see cref="WithSignature"/>), it can be submitted. Immutable.
/// </summary>
public sealed class Transaction
{
    private readonly FabricClient _client;
    private readonly EndorsedTransaction _endorsed;
    private readonly bool _signed;
    private int _sendState;

    internal Transaction(FabricClient client, FabricNetwork network, EndorsedTransaction endorsed, bool signed = false)
    {
        _client = client;
        Network = network;
        _endorsed = endorsed;
        _signed = signed || client.Options.Signer is not null;
    }

    /// <summary>The channel.</summary>
    public FabricNetwork Network { get; }

    /// <summary>The transaction id.</summary>
    public string TxId => _endorsed.TxId;

    /// <summary>The chaincode's response payload (identical on every endorser).</summary>
    public byte[] Result => _endorsed.Result.Payload;

    /// <summary>Who endorsed it: per peer (or the gateway), in the order given.</summary>
    internal IReadOnlyList<PeerEndorsement> Endorsements => _endorsed.Endorsements;

    /// <summary>The marshalled transaction payload: the bytes the envelope's signature covers, and what <see cref="FabricNetwork.NewSignedTransaction"/> takes back.</summary>
    public byte[] Bytes => _endorsed.PayloadBytes.ToByteArray();

    /// <summary>SHA-256 of <see cref="Bytes"/>, for a signer that signs digests.</summary>
    public byte[] Digest => SHA256.HashData(_endorsed.PayloadBytes.Span);

    internal Invocation.InvokeTrace? Trace { get; init; }

    /// <summary>What was readied for the submit while the peers endorsed; taken over by the commit. Null when nothing was.</summary>
    internal SubmitPreparation? Preparation { get; set; }

    /// <summary>How far the submit got: whether an orderer (or the gateway) may have the transaction.</summary>
    internal SendState SendState => (SendState)Volatile.Read(ref _sendState);

    /// <summary>This transaction with a signature made elsewhere over <see cref="Bytes"/> (offline signing).</summary>
    /// <param name="signature">The identity's signature.</param>
    /// <returns>The signed transaction.</returns>
    public Transaction WithSignature(byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return new Transaction(_client, Network, _endorsed.WithSignature(signature), signed: true) { Trace = Trace, Preparation = Preparation };
    }

    /// <summary>
    /// Submits the transaction: directly, after opening every peer's deliver stream (so its commit cannot be missed),
    /// to the orderers in turn (or, BFT, to all of them); or to the gateway. Returns once it is accepted for ordering;
    /// await the commit with the returned handle's <see cref="Commit.GetStatusAsync"/>, and dispose the handle.
    /// </summary>
    /// <param name="cancellationToken">Cancels the submit (the transaction may still have been sent).</param>
    /// <returns>The commit handle.</returns>
    /// <exception cref="SubmitException">No orderer took it (see <see cref="FabricInvokeException.MayHaveCommitted"/>).</exception>
    /// <exception cref="CommitStatusException">A peer's deliver stream could not be opened (nothing was sent).</exception>
    /// <exception cref="InvalidOperationException">The transaction is not signed, or (direct path) the client has no orderer.</exception>
    public async Task<Commit> SubmitAsync(CancellationToken cancellationToken = default)
    {
        if (!_signed)
        {
            throw new InvalidOperationException("the transaction is not signed: sign its Digest (or Bytes) and use WithSignature");
        }

        var connections = _client.Connections;
        var chaincode = _endorsed.Proposal.ChaincodeName;
        using var activity = FabricClient.StartActivity("Submit", TxId, Network.Name, chaincode, null);
        if (_client.Options.Path == SubmitPath.Gateway)
        {
            var gateway = new GatewayClient(connections.Peers[0], _client.Signer);
            activity?.SetTag("fabric.endpoint", gateway.Address);
            try
            {
                _client.Observer.Submitting(TxId);
                Sent(SendState.MaybeSent);
                var submitted = await gateway.SubmitAsync(_endorsed, _client.Options.SubmitTimeout, cancellationToken).ConfigureAwait(false);
                Sent(SendState.Sent);
                return Accepted(submitted, null, gateway);
            }
            catch (FabricInvokeException e)
            {
                FabricClient.Failed(activity, e);
                throw StageFailure.Submit(e);
            }
        }

        var preparation = Preparation;
        Preparation = null;
        if (preparation is null)
        {
            if (connections.Orderers.Count == 0 && !connections.CanDiscoverOrderers)
            {
                // Checked here, before any stream is opened.
                throw new InvalidOperationException("no orderer to submit to: the direct path needs FabricClientOptions.Orderers (or use SubmitPath.Gateway)");
            }

            preparation = SubmitPreparation.Start(_client, _endorsed.Proposal, Trace, cancellationToken);
            preparation.Deliver?.StartClock();
        }

        try
        {
            try
            {
                await preparation.Alongside.ConfigureAwait(false);
            }
            catch (FabricInvokeException e)
            {
                FabricClient.Failed(activity, e);
                throw e.Kind is FailureKind.Connection or FailureKind.Deliver ? StageFailure.Commit(e) : StageFailure.Submit(e);
            }

            var peerMspIds = PeerMspIds();
            CheckPolicyCanBeMet(peerMspIds);
            Trace?.ReadyToSubmit(_client.Time.GetElapsedTime(preparation.StartedAt));

            _client.Observer.Submitting(TxId);
            if (connections.Ordering is { IsBft: true } bft)
            {
                _client.Observer.SendingToAllOrderers(TxId, connections.Orderers.Select(o => o.Address).ToList(), bft.Quorum(connections.Orderers.Count));
            }

            try
            {
                var submitted = await Broadcaster.SubmitAsync(_endorsed, connections.Orderers, _client.Options.SubmitTimeout, cancellationToken, preparation.Broadcast, connections.Ordering, attempt =>
                {
                    Trace?.OrdererTried(attempt);
                    if (attempt.Outcome != OrdererOutcome.Pending)
                    {
                        _client.Observer.OrdererTried(TxId, attempt);
                    }
                }).ConfigureAwait(false);
                Sent(SendState.Sent);
                activity?.SetTag("fabric.endpoint", submitted.OrdererAddress);
                return Accepted(submitted, preparation, null, peerMspIds);
            }
            catch (FabricInvokeException e)
            {
                FabricClient.Failed(activity, e);
                throw StageFailure.Submit(e);
            }
        }
        catch
        {
            preparation.Dispose();
            throw;
        }
    }

    private void Sent(SendState state) => Volatile.Write(ref _sendState, (int)state);

    private Commit Accepted(SubmittedTransaction submitted, SubmitPreparation? preparation, GatewayClient? gateway, Dictionary<string, string>? peerMspIds = null)
    {
        Trace?.Submitted(submitted);
        _client.Observer.Submitted(submitted);
        ClientLog.Submitted(_client.Logger, TxId, submitted.OrdererAddress, null);
        return new Commit(_client, Network, submitted, preparation, gateway, peerMspIds ?? []) { Trace = Trace };
    }

    /// <summary>Each peer's MSP id: from its endorsement, else as the connection profile states it (a peer that only reports commits).</summary>
    private Dictionary<string, string> PeerMspIds()
    {
        var ids = _endorsed.Endorsements.Where(e => e.MspId is not null).ToDictionary(e => e.Address, e => e.MspId!, StringComparer.Ordinal);
        foreach (var peer in _client.Connections.DeliverPeers.Where(p => p.MspId is not null))
        {
            ids.TryAdd(peer.Address, peer.MspId!);
        }

        return ids;
    }

    /// <summary>An organisation the commit policy names but no given peer belongs to can never be waited for: say so before ordering.</summary>
    private void CheckPolicyCanBeMet(Dictionary<string, string> peerMspIds)
    {
        var policy = _client.Stages.CommitPolicy;
        if (policy.Kind != CommitPolicyKind.Organizations)
        {
            return;
        }

        var missing = policy.Organizations.Where(org => !peerMspIds.ContainsValue(org)).ToList();
        if (missing.Count > 0)
        {
            throw Failures.CommitPolicyUnmet(TxId, policy.ToString(), missing,
                _client.Connections.DeliverPeers.Select(p => $"{p.Address} = {peerMspIds.GetValueOrDefault(p.Address) ?? "?"}").ToList());
        }
    }
}

/// <summary>
/// A submitted transaction's commit, to be awaited (<see cref="GetStatusAsync"/>) when the caller likes. Dispose it
/// to close its deliver streams (awaiting the status does too).
/// </summary>
public sealed class Commit : IDisposable
{
    private readonly FabricClient _client;
    private readonly SubmittedTransaction _submitted;
    private readonly SubmitPreparation? _preparation;
    private readonly GatewayClient? _gateway;
    private readonly IReadOnlyDictionary<string, string> _peerMspIds;
    private readonly SemaphoreSlim _once = new(1, 1);
    private TransactionStatus? _status;
    private int _disposed;

    internal Commit(FabricClient client, FabricNetwork network, SubmittedTransaction submitted, SubmitPreparation? preparation, GatewayClient? gateway, IReadOnlyDictionary<string, string> peerMspIds)
    {
        _client = client;
        Network = network;
        _submitted = submitted;
        _preparation = preparation;
        _gateway = gateway;
        _peerMspIds = peerMspIds;
    }

    /// <summary>The channel.</summary>
    public FabricNetwork Network { get; }

    /// <summary>The transaction id.</summary>
    public string TxId => _submitted.TxId;

    /// <summary>The orderer (or gateway peer) that accepted the transaction.</summary>
    public string AcceptedBy => _submitted.OrdererAddress;

    internal Invocation.InvokeTrace? Trace { get; init; }

    /// <summary>
    /// Waits until every peer (or the gateway peer) reports the transaction committed, within
    /// <see cref="FabricClientOptions.CommitStatusTimeout"/> counted from the endorsement (direct path) or from the
    /// start of the wait (gateway).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the transaction may still commit).</param>
    /// <returns>The VALID status.</returns>
    /// <exception cref="CommitException">A peer reported a validation code other than VALID.</exception>
    /// <exception cref="CommitStatusException">The wait failed or timed out: the outcome is unknown.</exception>
    /// <exception cref="InvalidOperationException">The client does not wait for commits.</exception>
    public async Task<TransactionStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        await _once.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_status is { } known)
            {
                return known;
            }

            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            using var activity = FabricClient.StartActivity("CommitStatus", TxId, Network.Name, _submitted.Endorsed.Proposal.ChaincodeName, _gateway?.Address);
            try
            {
                CommitStatus status;
                if (_gateway is not null)
                {
                    status = await _gateway.CommitStatusAsync(_submitted, _client.Options.CommitStatusTimeout, Committed, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var deliver = _preparation?.Deliver ?? throw new InvalidOperationException("this client does not wait for commits");
                    status = await deliver.WaitAsync(_submitted, _client.Stages.CommitPolicy, _peerMspIds, Committed, cancellationToken).ConfigureAwait(false);
                }

                Trace?.CommitWaitEnded(status.Elapsed);
                var last = status.Commits[^1];
                _status = new TransactionStatus(TxId, last.Code, last.BlockNumber, status.Commits);
                ClientLog.Committed(_client.Logger, TxId, last.BlockNumber, null);
                return _status;
            }
            catch (FabricInvokeException e)
            {
                FabricClient.Failed(activity, e);
                throw StageFailure.Commit(e);
            }
        }
        finally
        {
            _once.Release();
            if (_status is not null)
            {
                Dispose();
            }
        }
    }

    private void Committed(PeerCommit commit)
    {
        Trace?.Committed(commit);
        _client.Observer.Committed(TxId, commit);
    }

    /// <summary>Closes the deliver streams (direct path). Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _preparation?.Dispose();
        }
    }
}

/// <summary>The client's log lines.</summary>
internal static class ClientLog
{
    public static readonly Action<Microsoft.Extensions.Logging.ILogger, string, TimeSpan, Exception?> Endorsed =
        Microsoft.Extensions.Logging.LoggerMessage.Define<string, TimeSpan>(Microsoft.Extensions.Logging.LogLevel.Debug, new(10, "Endorsed"), "Transaction {TxId} endorsed in {Elapsed}");

    public static readonly Action<Microsoft.Extensions.Logging.ILogger, string, string, Exception?> Submitted =
        Microsoft.Extensions.Logging.LoggerMessage.Define<string, string>(Microsoft.Extensions.Logging.LogLevel.Debug, new(11, "Submitted"), "Transaction {TxId} accepted by {Orderer}");

    public static readonly Action<Microsoft.Extensions.Logging.ILogger, string, ulong, Exception?> Committed =
        Microsoft.Extensions.Logging.LoggerMessage.Define<string, ulong>(Microsoft.Extensions.Logging.LogLevel.Debug, new(12, "Committed"), "Transaction {TxId} committed VALID in block {Block}");
}
