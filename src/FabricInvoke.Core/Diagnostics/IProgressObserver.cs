using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Ordering;

namespace FabricInvoke.Core.Diagnostics;

/// <summary>
/// Progress of a command as it happens, so a front end can report it live. Every member is optional; calls may come
/// from several threads (peers are contacted in parallel).
/// </summary>
internal interface IProgressObserver
{
    /// <summary>The observer that ignores everything.</summary>
    static IProgressObserver None { get; } = new NoObserver();

    /// <summary>Something the user should fix although the command can go on, e.g. a private key file others can read.</summary>
    void Warning(string message)
    {
    }

    /// <summary>A peer or orderer could not be reached yet; it is tried again within the connect timeout.</summary>
    void Retrying(RetryNotice notice)
    {
    }

    /// <summary>No orderer was given: these were read from the channel configuration that <paramref name="peer"/> served.</summary>
    void OrderersDiscovered(string channelId, string peer, IReadOnlyList<string> orderers)
    {
    }

    /// <summary>An event stream broke and is re-opened on <see cref="RetryNotice.Address"/> after the delay.</summary>
    void Reconnecting(RetryNotice notice)
    {
    }

    /// <summary>The proposal is built and signed: from here on the txid is known.</summary>
    void ProposalCreated(string txId)
    {
    }

    /// <summary>Every peer endorsed and the responses agree.</summary>
    void Endorsed(EndorsedTransaction transaction)
    {
    }

    /// <summary>Every deliver stream is live (each peer answered with its current block).</summary>
    void DeliverConnected(string txId, int peers)
    {
    }

    /// <summary>The transaction is about to be sent to the orderers: from here on it may be ordered.</summary>
    void Submitting(string txId)
    {
    }

    /// <summary>The envelope went out on the broadcast stream to <paramref name="ordererAddress"/>; its answer is awaited.</summary>
    void Broadcasting(string txId, string ordererAddress)
    {
    }

    /// <summary>
    /// The channel orders with BFT: the transaction goes to all <paramref name="orderers"/> at once, and is ordered once
    /// <paramref name="quorum"/> of them accepted it.
    /// </summary>
    void SendingToAllOrderers(string txId, IReadOnlyList<string> orderers, int quorum)
    {
    }

    /// <summary>An orderer answered, or could not be reached (never called for <see cref="OrdererOutcome.Pending"/>); from any thread.</summary>
    void OrdererTried(string txId, OrdererAttempt attempt)
    {
    }

    /// <summary>An orderer accepted the transaction.</summary>
    void Submitted(SubmittedTransaction transaction)
    {
    }

    /// <summary>A peer reported the transaction's validation code.</summary>
    void Committed(string txId, PeerCommit commit)
    {
    }

    private sealed class NoObserver : IProgressObserver;
}
