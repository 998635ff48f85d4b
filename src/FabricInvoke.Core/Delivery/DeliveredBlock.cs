using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.Core.Delivery;

/// <summary>Whether a deliver stream carries filtered blocks (txids and validation codes only) or full blocks (event payloads too).</summary>
internal enum BlockKind
{
    /// <summary>DeliverFiltered: small, enough to wait for a commit; chaincode events come without their payload.</summary>
    Filtered,

    /// <summary>Deliver: whole blocks, needed for chaincode event payloads.</summary>
    Full,
}

/// <summary>One transaction of a delivered block, with the validation code the peer gave it.</summary>
/// <param name="Index">Its position in the block.</param>
/// <param name="TxId">The transaction id.</param>
/// <param name="Type">The envelope's header type (ENDORSER_TRANSACTION, CONFIG, …).</param>
/// <param name="ValidationCode">The validation code the peer gave it.</param>
/// <param name="Events">Its chaincode events (their payloads are empty when read from a filtered block: peers strip them there).</param>
public sealed record DeliveredTransaction(int Index, string TxId, HeaderType Type, TxValidationCode ValidationCode, IReadOnlyList<ChaincodeEvent> Events)
{
    /// <summary>True when the peer marked the transaction VALID.</summary>
    public bool IsValid => ValidationCode == TxValidationCode.Valid;

    /// <summary>The validation code as the protocol names it (VALID, MVCC_READ_CONFLICT, …).</summary>
    public string ValidationCodeName => FabricNames.Of(ValidationCode);
}

/// <summary>A block as a deliver stream delivered it, reduced to what clients use.</summary>
public sealed record DeliveredBlock(ulong Number, IReadOnlyList<DeliveredTransaction> Transactions);
