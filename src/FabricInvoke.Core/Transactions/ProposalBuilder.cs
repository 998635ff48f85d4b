using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FabricInvoke.Core.Transactions;

/// <summary>Builds chaincode proposals byte-identical to the Go peer CLI's (protoutil.CreateChaincodeProposalWithTxIDNonceAndTransient).</summary>
internal static class ProposalBuilder
{
    /// <summary>
    /// An ENDORSER_TRANSACTION (or, for orderer discovery, CONFIG) proposal exactly as the Go CLI builds it:
    /// ChaincodeSpec type GOLANG, the timestamp with its nanoseconds, transient entries in the given order,
    /// proto3 defaults omitted, fields in number order.
    /// </summary>
    /// <param name="invocation">What to invoke.</param>
    /// <param name="creator">Marshalled SerializedIdentity of the signer.</param>
    /// <param name="nonce">The nonce (24 random bytes for a new proposal).</param>
    /// <param name="timestamp">The proposal time (Go's time.Now(), with nanoseconds).</param>
    /// <param name="headerType">The channel header type.</param>
    /// <exception cref="FabricInvokeException">Usage: the transient map has a duplicate key.</exception>
    public static UnsignedProposal Create(
        ChaincodeInvocation invocation,
        ReadOnlySpan<byte> creator,
        ReadOnlySpan<byte> nonce,
        Timestamp timestamp,
        HeaderType headerType = HeaderType.EndorserTransaction)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(timestamp);
        CheckTransientKeys(invocation.Transient);

        var txId = TxIds.Compute(nonce, creator);
        var chaincodeId = new ChaincodeID { Name = invocation.ChaincodeName };

        var extension = new ChaincodeHeaderExtension { ChaincodeId = chaincodeId }.ToByteString();
        var channelHeader = new ChannelHeader
        {
            Type = (int)headerType,
            Timestamp = timestamp.Clone(),
            ChannelId = invocation.ChannelId,
            TxId = txId,
            Extension = extension,
        }.ToByteString();
        var signatureHeader = new SignatureHeader
        {
            Creator = ByteString.CopyFrom(creator),
            Nonce = ByteString.CopyFrom(nonce),
        }.ToByteString();
        var header = new Header { ChannelHeader = channelHeader, SignatureHeader = signatureHeader }.ToByteString();

        var input = new ChaincodeInput { IsInit = invocation.IsInit };
        foreach (var arg in invocation.Args)
        {
            input.Args.Add(ByteString.CopyFrom(arg));
        }

        var invocationSpec = new ChaincodeInvocationSpec
        {
            ChaincodeSpec = new ChaincodeSpec
            {
                Type = ChaincodeSpec.Types.Type.Golang,
                ChaincodeId = chaincodeId,
                Input = input,
            },
        }.ToByteString();

        var payload = ProposalWire.ChaincodeProposalPayload(invocationSpec, invocation.Transient);
        var proposal = new Protos.Peer.Proposal { Header = header, Payload = payload }.ToByteString();

        return new UnsignedProposal(
            txId,
            invocation.ChannelId,
            proposal,
            header,
            channelHeader,
            signatureHeader,
            ProposalWire.PayloadWithoutTransient(invocationSpec));
    }

    private static void CheckTransientKeys(IReadOnlyList<KeyValuePair<string, byte[]>> transient)
    {
        if (transient.Count < 2)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in transient)
        {
            if (!seen.Add(entry.Key))
            {
                throw Failures.Usage($"transient map has the key '{entry.Key}' more than once");
            }
        }
    }
}
