using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Ledger;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Validation;

/// <summary>
/// One block entry decoded as far as its type allows: envelope, headers and — for endorser transactions — the
/// endorsed action and its read/write set. Decoding failures are reported as the validation code Fabric would give.
/// </summary>
internal sealed class ParsedTransaction
{
    private ParsedTransaction()
    {
    }

    public Envelope Envelope { get; private init; } = null!;

    public ChannelHeader ChannelHeader { get; private init; } = null!;

    public SignatureHeader SignatureHeader { get; private init; } = null!;

    public HeaderType Type => (HeaderType)ChannelHeader.Type;

    public string TxId => ChannelHeader.TxId;

    /// <summary>The endorsed action (endorser transactions only).</summary>
    public ChaincodeEndorsedAction? EndorsedAction { get; private init; }

    /// <summary>The simulated ChaincodeAction inside the proposal response payload (endorser transactions only).</summary>
    public ChaincodeAction? ChaincodeAction { get; private init; }

    /// <summary>Per-namespace KV read/write sets (endorser transactions only).</summary>
    public IReadOnlyList<(string Namespace, KVRWSet Set)> ReadWriteSets { get; private init; } = [];

    /// <summary>Decodes <paramref name="data"/>; on failure returns null and the validation code.</summary>
    public static ParsedTransaction? TryParse(ByteString data, out TxValidationCode failure)
    {
        failure = TxValidationCode.Valid;
        if (data.IsEmpty)
        {
            failure = TxValidationCode.NilEnvelope;
            return null;
        }

        try
        {
            var envelope = Envelope.Parser.ParseFrom(data);
            var payload = Payload.Parser.ParseFrom(envelope.Payload);
            if (payload.Header is null)
            {
                failure = TxValidationCode.BadCommonHeader;
                return null;
            }

            var channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
            var signatureHeader = SignatureHeader.Parser.ParseFrom(payload.Header.SignatureHeader);
            if ((HeaderType)channelHeader.Type != HeaderType.EndorserTransaction)
            {
                return new ParsedTransaction { Envelope = envelope, ChannelHeader = channelHeader, SignatureHeader = signatureHeader };
            }

            var transaction = Transaction.Parser.ParseFrom(payload.Data);
            if (transaction.Actions.Count != 1)
            {
                failure = TxValidationCode.NilTxaction;
                return null;
            }

            var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload);
            if (actionPayload.Action is null)
            {
                failure = TxValidationCode.NilTxaction;
                return null;
            }

            var responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action.ProposalResponsePayload);
            var chaincodeAction = ChaincodeAction.Parser.ParseFrom(responsePayload.Extension);
            var sets = new List<(string, KVRWSet)>();
            try
            {
                var rwset = TxReadWriteSet.Parser.ParseFrom(chaincodeAction.Results);
                foreach (var ns in rwset.NsRwset)
                {
                    sets.Add((ns.Namespace, KVRWSet.Parser.ParseFrom(ns.Rwset)));
                }
            }
            catch (InvalidProtocolBufferException)
            {
                failure = TxValidationCode.BadRwset;
                return null;
            }

            return new ParsedTransaction
            {
                Envelope = envelope,
                ChannelHeader = channelHeader,
                SignatureHeader = signatureHeader,
                EndorsedAction = actionPayload.Action,
                ChaincodeAction = chaincodeAction,
                ReadWriteSets = sets,
            };
        }
        catch (InvalidProtocolBufferException)
        {
            failure = TxValidationCode.BadPayload;
            return null;
        }
    }
}
