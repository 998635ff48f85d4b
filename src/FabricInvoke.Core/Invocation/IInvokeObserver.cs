using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;

namespace FabricInvoke.Core.Invocation;

/// <summary>Progress of one invoke as it happens, so a front end can report it live. All members are optional.</summary>
public interface IInvokeObserver
{
    /// <summary>Something the user should fix although the invoke can go on, e.g. a private key file others can read.</summary>
    void Warning(string message)
    {
    }

    /// <summary>A peer or orderer could not be reached yet; it is tried again within --connTimeout.</summary>
    void Retrying(RetryNotice notice)
    {
    }

    /// <summary>The proposal is built: from here on the txid is known.</summary>
    void ProposalCreated(string txId)
    {
    }

    /// <summary>Every peer endorsed and the responses agree.</summary>
    void Endorsed(string txId, IReadOnlyList<PeerEndorsement> endorsements)
    {
    }

    /// <summary>Every deliver stream is live.</summary>
    void DeliverConnected(string txId, int peers)
    {
    }

    /// <summary>An orderer accepted the transaction.</summary>
    void Broadcast(string txId, string ordererAddress)
    {
    }

    /// <summary>A peer reported the transaction's validation code.</summary>
    void Committed(string txId, CommitResult commit)
    {
    }
}
