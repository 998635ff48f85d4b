using FabricInvoke.Protos.Peer;
using Grpc.Core;
using FabricStatus = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.Core.Errors;

/// <summary>
/// The one exception type Core throws for failures a user can meet. Everything a front end decides on is a typed
/// property: <see cref="Kind"/> (the stage that failed, which decides the exit code), the transaction id, the nodes or
/// files involved, the gRPC / Fabric / chaincode / validation code the node gave, and <see cref="SendState"/> (may it
/// still commit?). <see cref="Exception.Message"/> is one line naming the peer, orderer or file, worded by
/// <see cref="Failures"/> from those values; build instances only there.
/// </summary>
public class FabricInvokeException : Exception
{
    /// <summary>A failure of the given kind; the message is made one bounded line.</summary>
    /// <param name="kind">The stage that failed.</param>
    /// <param name="message">One line naming the peer, orderer or file.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public FabricInvokeException(FailureKind kind, string message, Exception? innerException = null)
        : base(Text.Bounded(Text.OneLine(message)), innerException)
    {
        Kind = kind;
    }

    /// <summary>A <see cref="FailureKind.Usage"/> failure with a generic message (for serializers and analyzers).</summary>
    public FabricInvokeException()
        : this(FailureKind.Usage, "fabinvoke failure")
    {
    }

    /// <summary>A <see cref="FailureKind.Usage"/> failure.</summary>
    /// <param name="message">One line.</param>
    public FabricInvokeException(string message)
        : this(FailureKind.Usage, message)
    {
    }

    /// <summary>A <see cref="FailureKind.Usage"/> failure with its cause.</summary>
    /// <param name="message">One line.</param>
    /// <param name="innerException">The underlying error.</param>
    public FabricInvokeException(string message, Exception innerException)
        : this(FailureKind.Usage, message, innerException)
    {
    }

    /// <summary>A copy of <paramref name="failure"/> (same kind, message, properties and inner exception), for the per-stage types.</summary>
    /// <param name="failure">The failure to carry over.</param>
    protected FabricInvokeException(FabricInvokeException failure)
        : base((failure ?? throw new ArgumentNullException(nameof(failure))).Message, failure.InnerException)
    {
        Kind = failure.Kind;
        TxId = failure.TxId;
        Targets = failure.Targets;
        Details = failure.Details;
        GrpcStatus = failure.GrpcStatus;
        FabricStatus = failure.FabricStatus;
        ChaincodeStatus = failure.ChaincodeStatus;
        ValidationCode = failure.ValidationCode;
        BlockNumber = failure.BlockNumber;
        ClientCertificateRequiredBy = failure.ClientCertificateRequiredBy;
        SendState = failure.SendState;
        NamesTxId = failure.NamesTxId;
        Remedy = failure.Remedy;
    }

    /// <summary>The failure class: which stage failed.</summary>
    public FailureKind Kind { get; }

    /// <summary>The transaction id, when one had been computed.</summary>
    public string? TxId { get; init; }

    /// <summary>The peers, orderers or files the failure is about, as the user wrote them (the first is the main one).</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>The first of <see cref="Targets"/>, or null.</summary>
    public string? Target => Targets.Count > 0 ? Targets[0] : null;

    /// <summary>What each node involved said, when the failure involves several (a gateway's ErrorDetails, failed orderers).</summary>
    public IReadOnlyList<EndpointDetail> Details { get; init; } = [];

    /// <summary>The gRPC status code of the failed call, when a call failed.</summary>
    public StatusCode? GrpcStatus { get; init; }

    /// <summary>The Fabric status a node answered: the orderer's broadcast status, or a deliver stream's status.</summary>
    public FabricStatus? FabricStatus { get; init; }

    /// <summary>The chaincode response status an endorser returned (e.g. 500), when that is the failure.</summary>
    public int? ChaincodeStatus { get; init; }

    /// <summary>The validation code of an invalidated transaction (MVCC_READ_CONFLICT, …).</summary>
    public TxValidationCode? ValidationCode { get; init; }

    /// <summary>The block an invalidated transaction is in.</summary>
    public ulong? BlockNumber { get; init; }

    /// <summary>
    /// The role of the node ("peer", "orderer", "gateway peer") that refused the connection because it requires a TLS
    /// client certificate and none was given; null otherwise. A front end can say how to give one.
    /// </summary>
    public string? ClientCertificateRequiredBy { get; init; }

    /// <summary>How far the transaction got towards the orderer; decides whether it may still commit.</summary>
    internal SendState SendState { get; init; }

    /// <summary>
    /// True when an orderer accepted (or may have accepted) the transaction before the failure, so it may still commit:
    /// a script should re-check the txid rather than re-submit.
    /// An invalidated transaction is in a block already and can never commit, however far it got.
    /// </summary>
    public bool MayHaveCommitted => SendState != SendState.NotSent && Kind != FailureKind.Invalidated;

    /// <summary>
    /// What the user can change to get past the failure, when the message suggests something: the message holds
    /// <see cref="Failures.RemedyPhrase"/> for it, which a front end may word in its own terms.
    /// </summary>
    internal Remedy Remedy { get; init; }

    /// <summary>True when the message already names the transaction id, so a front end need not repeat it.</summary>
    internal bool NamesTxId { get; init; }

    /// <summary>The message with the transaction id appended when it has one the message does not show: the line a user reads.</summary>
    public string Line => TxId is null || NamesTxId ? Message : $"{Message} (txid: {TxId})";
}
