using System.Collections.Immutable;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.DevNet.Validation;

/// <summary>The validation outcome of one block on one peer: a code per transaction and the resulting state.</summary>
internal sealed record BlockValidation(
    TxValidationCode[] Codes,
    ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue> State,
    IReadOnlyList<string> TxIds);

/// <summary>
/// A peer's committer-side validation (Fabric's txvalidator + VSCC + MVCC, reduced to what DevNet needs):
/// creator signature, txid, duplicate txid, the MAJORITY endorsement policy, and MVCC read conflicts — including
/// against earlier valid transactions of the same block. Writes of VALID transactions are applied.
/// </summary>
internal sealed class BlockValidator(MspRegistry msp, string channelId)
{
    /// <summary>Validates <paramref name="block"/> against <paramref name="state"/>; <paramref name="isKnownTxId"/> answers for txids already on the ledger.</summary>
    public BlockValidation Validate(
        Block block,
        ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue> state,
        Func<string, bool> isKnownTxId,
        TxValidationCode? forced)
    {
        var codes = new TxValidationCode[block.Data.Data.Count];
        var txIds = new List<string>();
        var seenInBlock = new HashSet<string>(StringComparer.Ordinal);
        var builder = state.ToBuilder();
        var writtenInBlock = new HashSet<(string, string)>();

        for (var index = 0; index < codes.Length; index++)
        {
            var tx = ParsedTransaction.TryParse(block.Data.Data[index], out var code);
            if (tx is not null)
            {
                code = ValidateOne(tx, block.Header.Number, builder, writtenInBlock, seenInBlock, isKnownTxId);
                if (!string.IsNullOrEmpty(tx.TxId) && code != TxValidationCode.DuplicateTxid)
                {
                    seenInBlock.Add(tx.TxId);
                    txIds.Add(tx.TxId);
                }
            }

            if (forced is { } overridden)
            {
                code = overridden;
            }

            codes[index] = code;
            if (code == TxValidationCode.Valid && tx?.Type == HeaderType.EndorserTransaction)
            {
                Apply(tx, block.Header.Number, (ulong)index, builder, writtenInBlock);
            }
        }

        return new BlockValidation(codes, builder.ToImmutable(), txIds);
    }

    /// <summary>Re-applies the writes of a block whose validation codes are already known (ledger replay on restart).</summary>
    public static ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue> Replay(
        Block block,
        ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue> state,
        ICollection<string> txIds)
    {
        var filter = block.Metadata.Metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
            ? block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].Span
            : [];
        var builder = state.ToBuilder();
        for (var index = 0; index < block.Data.Data.Count; index++)
        {
            var tx = ParsedTransaction.TryParse(block.Data.Data[index], out _);
            if (tx is null)
            {
                continue;
            }

            if (!string.IsNullOrEmpty(tx.TxId))
            {
                txIds.Add(tx.TxId);
            }

            var valid = index < filter.Length && filter[index] == (byte)TxValidationCode.Valid;
            if (valid && tx.Type == HeaderType.EndorserTransaction)
            {
                Apply(tx, block.Header.Number, (ulong)index, builder, new HashSet<(string, string)>());
            }
        }

        return builder.ToImmutable();
    }

    private TxValidationCode ValidateOne(
        ParsedTransaction tx,
        ulong blockNumber,
        ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue>.Builder state,
        HashSet<(string, string)> writtenInBlock,
        HashSet<string> seenInBlock,
        Func<string, bool> isKnownTxId)
    {
        if (tx.ChannelHeader.ChannelId != channelId)
        {
            return TxValidationCode.TargetChainNotFound;
        }

        if (tx.Type == HeaderType.Config)
        {
            // The genesis block, or a configuration the orderer itself made (signed by an orderer-org node).
            if (blockNumber == 0)
            {
                return TxValidationCode.Valid;
            }

            var orderer = msp.Check(tx.SignatureHeader.Creator).Identity;
            return orderer is { Member.IsApplicationOrg: false, Role: "orderer" } && orderer.Verify(tx.Envelope.Payload.Span, tx.Envelope.Signature.Span)
                ? TxValidationCode.Valid
                : TxValidationCode.BadCreatorSignature;
        }

        if (tx.Type != HeaderType.EndorserTransaction)
        {
            return TxValidationCode.UnknownTxType;
        }

        var creator = msp.Check(tx.SignatureHeader.Creator);
        if (creator.Identity is null || !creator.Identity.Verify(tx.Envelope.Payload.Span, tx.Envelope.Signature.Span))
        {
            return TxValidationCode.BadCreatorSignature;
        }

        if (tx.TxId != TxIdHash.Compute(tx.SignatureHeader.Nonce, tx.SignatureHeader.Creator))
        {
            return TxValidationCode.BadProposalTxid;
        }

        if (seenInBlock.Contains(tx.TxId) || isKnownTxId(tx.TxId))
        {
            return TxValidationCode.DuplicateTxid;
        }

        if (!SatisfiesMajority(tx.EndorsedAction!))
        {
            return TxValidationCode.EndorsementPolicyFailure;
        }

        foreach (var (ns, set) in tx.ReadWriteSets)
        {
            foreach (var read in set.Reads)
            {
                if (writtenInBlock.Contains((ns, read.Key)))
                {
                    return TxValidationCode.MvccReadConflict;
                }

                state.TryGetValue((ns, read.Key), out var committed);
                var matches = committed is null ? read.Version is null : committed.Matches(read.Version);
                if (!matches)
                {
                    return TxValidationCode.MvccReadConflict;
                }
            }
        }

        return TxValidationCode.Valid;
    }

    /// <summary>The default "MAJORITY Endorsement" policy: valid peer endorsements from more than half of the channel's orgs.</summary>
    private bool SatisfiesMajority(ChaincodeEndorsedAction action)
    {
        var orgs = msp.ApplicationOrgs.Count;
        var satisfied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endorsement in action.Endorsements)
        {
            var endorser = msp.Check(endorsement.Endorser).Identity;
            if (endorser is null || !endorser.Member.IsApplicationOrg || endorser.Role != "peer")
            {
                continue;
            }

            var signed = new byte[action.ProposalResponsePayload.Length + endorsement.Endorser.Length];
            action.ProposalResponsePayload.Span.CopyTo(signed);
            endorsement.Endorser.Span.CopyTo(signed.AsSpan(action.ProposalResponsePayload.Length));
            if (endorser.Verify(signed, endorsement.Signature.Span))
            {
                satisfied.Add(endorser.MspId);
            }
        }

        return satisfied.Count * 2 > orgs;
    }

    private static void Apply(
        ParsedTransaction tx,
        ulong blockNumber,
        ulong txNumber,
        ImmutableSortedDictionary<(string Namespace, string Key), VersionedValue>.Builder state,
        HashSet<(string, string)> writtenInBlock)
    {
        foreach (var (ns, set) in tx.ReadWriteSets)
        {
            foreach (var write in set.Writes)
            {
                writtenInBlock.Add((ns, write.Key));
                if (write.IsDelete)
                {
                    state.Remove((ns, write.Key));
                }
                else
                {
                    state[(ns, write.Key)] = new VersionedValue(write.Value, blockNumber, txNumber);
                }
            }
        }
    }
}
