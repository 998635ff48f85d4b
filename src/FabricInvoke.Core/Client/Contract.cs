using System.Security.Cryptography;
using System.Text;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Gateway;
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
        var transaction = await NewProposal(function, options).EndorseAsync(cancellationToken).ConfigureAwait(false);
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
        return new Proposal(_client, Network, invocation, unsigned, signed, options.EndorsingOrganizations, createdAt);
    }

    private static List<byte[]> Utf8(IEnumerable<string> arguments) => arguments.Select(Encoding.UTF8.GetBytes).ToList();
}

/// <summary>
/// The first stage: a chaincode proposal with its transaction id. Signed (by the client's signer, or with
/// <see cref="WithSignature"/>), it can be endorsed (<see cref="EndorseAsync"/>) or evaluated. Immutable.
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
        return new Proposal(_client, Network, Invocation, _unsigned, signed, _endorsingOrganizations, _createdAt);
    }

    private SignedChaincodeProposal Signed => _signed ?? throw new InvalidOperationException("the proposal is not signed: sign its Digest (or Bytes) and use WithSignature");

    /// <summary>
    /// Endorses the proposal: directly on every peer (their answers must agree), or through the gateway.
    /// </summary>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The endorsed transaction, ready to submit.</returns>
    /// <exception cref="EndorseException">A peer refused or was unreachable, peers disagreed, or the chaincode answered with an error status.</exception>
    /// <exception cref="InvalidOperationException">The proposal is not signed.</exception>
    public async Task<Transaction> EndorseAsync(CancellationToken cancellationToken = default)
    {
        var signed = Signed;
        var options = _client.Options;
        var connections = _client.Connections;
        using var activity = FabricClient.StartActivity("Endorse", TxId, Network.Name, Invocation.ChaincodeName, string.Join(",", connections.Peers.Select(p => p.Address)));
        try
        {
            var endorsed = options.Path == SubmitPath.Gateway
                ? await new GatewayClient(connections.Peers[0], _client.Signer).EndorseAsync(signed, _endorsingOrganizations, options.EndorseTimeout, cancellationToken).ConfigureAwait(false)
                : await Endorser.EndorseAsync(signed, connections.Peers, options.EndorseTimeout, cancellationToken).ConfigureAwait(false);
            ClientLog.Endorsed(_client.Logger, TxId, endorsed.Elapsed, null);
            return new Transaction(_client, Network, endorsed);
        }
        catch (FabricInvokeException e)
        {
            FabricClient.Failed(activity, e);
            throw StageFailure.Endorse(e);
        }
    }

    /// <summary>Evaluates the proposal on the first peer (or through the gateway): nothing is ordered.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The chaincode's response payload.</returns>
    /// <exception cref="EndorseException">The peer refused or was unreachable, or the chaincode answered with an error status.</exception>
    public async Task<byte[]> EvaluateAsync(CancellationToken cancellationToken = default)
    {
        var signed = Signed;
        var options = _client.Options;
        var peer = _client.Connections.Peers[0];
        using var activity = FabricClient.StartActivity("Evaluate", TxId, Network.Name, Invocation.ChaincodeName, peer.Address);
        try
        {
            if (options.Path == SubmitPath.Gateway)
            {
                var response = await new GatewayClient(peer, _client.Signer).EvaluateAsync(signed, _endorsingOrganizations, options.EndorseTimeout, cancellationToken).ConfigureAwait(false);
                return response.Status is >= 200 and < 400
                    ? response.Payload
                    : throw new EndorseException(Failures.Endorsement(TxId, peer.Address, $"response: status:{response.Status} message:\"{response.Message}\"", chaincodeStatus: response.Status, operation: EndorseOperation.Query));
            }

            var endorsed = await Endorser.EndorseAsync(signed, [peer], options.EndorseTimeout, cancellationToken, EndorseOperation.Query).ConfigureAwait(false);
            return endorsed.Result.Payload;
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
    public IReadOnlyList<PeerEndorsement> Endorsements => _endorsed.Endorsements;

    /// <summary>The marshalled transaction payload: the bytes the envelope's signature covers.</summary>
    public byte[] Bytes => _endorsed.PayloadBytes.ToByteArray();

    /// <summary>SHA-256 of <see cref="Bytes"/>, for a signer that signs digests.</summary>
    public byte[] Digest => SHA256.HashData(_endorsed.PayloadBytes.Span);

    /// <summary>This transaction with a signature made elsewhere over <see cref="Bytes"/> (offline signing).</summary>
    /// <param name="signature">The identity's signature.</param>
    /// <returns>The signed transaction.</returns>
    public Transaction WithSignature(byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return new Transaction(_client, Network, _endorsed.WithSignature(signature), signed: true);
    }

    /// <summary>
    /// Submits the transaction: directly, after opening every peer's deliver stream (so its commit cannot be missed),
    /// to the orderers in turn; or to the gateway. Returns once it is accepted for ordering; await the commit with
    /// the returned handle's <see cref="Commit.GetStatusAsync"/>, and dispose the handle.
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

        var options = _client.Options;
        var connections = _client.Connections;
        var chaincode = _endorsed.Proposal.ChaincodeName;
        using var activity = FabricClient.StartActivity("Submit", TxId, Network.Name, chaincode, null);
        if (options.Path == SubmitPath.Gateway)
        {
            var gateway = new GatewayClient(connections.Peers[0], _client.Signer);
            activity?.SetTag("fabric.endpoint", gateway.Address);
            try
            {
                var submitted = await gateway.SubmitAsync(_endorsed, options.SubmitTimeout, cancellationToken).ConfigureAwait(false);
                ClientLog.Submitted(_client.Logger, TxId, submitted.OrdererAddress, null);
                return new Commit(_client, Network, submitted, null, gateway);
            }
            catch (FabricInvokeException e)
            {
                FabricClient.Failed(activity, e);
                throw StageFailure.Submit(e);
            }
        }

        if (connections.Orderers.Count == 0)
        {
            // Checked here, not left to the broadcast, whose message speaks the CLI's flags.
            throw new InvalidOperationException("no orderer to submit to: the direct path needs FabricClientOptions.Orderers (or use SubmitPath.Gateway)");
        }

        var deliver = new DeliverGroup(connections.DeliverPeers, _client.Signer, Network.Name, connections.BindTlsCertHash, options.CommitStatusTimeout);
        try
        {
            try
            {
                await deliver.ConnectAsync(TxId, cancellationToken).ConfigureAwait(false);
            }
            catch (FabricInvokeException e)
            {
                FabricClient.Failed(activity, e);
                throw StageFailure.Commit(e);
            }

            try
            {
                var submitted = await Broadcaster.SubmitAsync(_endorsed, connections.Orderers, options.SubmitTimeout, cancellationToken).ConfigureAwait(false);
                activity?.SetTag("fabric.endpoint", submitted.OrdererAddress);
                ClientLog.Submitted(_client.Logger, TxId, submitted.OrdererAddress, null);
                return new Commit(_client, Network, submitted, deliver, null);
            }
            catch (FabricInvokeException e)
            {
                FabricClient.Failed(activity, e);
                throw StageFailure.Submit(e);
            }
        }
        catch
        {
            deliver.Dispose();
            throw;
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
    private readonly DeliverGroup? _deliver;
    private readonly GatewayClient? _gateway;
    private readonly SemaphoreSlim _once = new(1, 1);
    private TransactionStatus? _status;
    private int _disposed;

    internal Commit(FabricClient client, FabricNetwork network, SubmittedTransaction submitted, DeliverGroup? deliver, GatewayClient? gateway)
    {
        _client = client;
        Network = network;
        _submitted = submitted;
        _deliver = deliver;
        _gateway = gateway;
    }

    /// <summary>The channel.</summary>
    public FabricNetwork Network { get; }

    /// <summary>The transaction id.</summary>
    public string TxId => _submitted.TxId;

    /// <summary>The orderer (or gateway peer) that accepted the transaction.</summary>
    public string AcceptedBy => _submitted.OrdererAddress;

    /// <summary>
    /// Waits until every peer (or the gateway peer) reports the transaction committed, within
    /// <see cref="FabricClientOptions.CommitStatusTimeout"/> counted from the submit.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the transaction may still commit).</param>
    /// <returns>The VALID status.</returns>
    /// <exception cref="CommitException">A peer reported a validation code other than VALID.</exception>
    /// <exception cref="CommitStatusException">The wait failed or timed out: the outcome is unknown.</exception>
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
                    status = await _gateway.CommitStatusAsync(_submitted, _client.Options.CommitStatusTimeout, null, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var peerMspIds = _submitted.Endorsed.Endorsements.Where(e => e.MspId is not null).ToDictionary(e => e.Address, e => e.MspId!, StringComparer.Ordinal);
                    status = await _deliver!.WaitAsync(_submitted, CommitPolicy.All, peerMspIds, null, cancellationToken).ConfigureAwait(false);
                }

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

    /// <summary>Closes the deliver streams (direct path). Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _deliver?.Dispose();
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
