using System.Security.Cryptography;
using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Common;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FabricInvoke.DevNet.Orderer;

/// <summary>
/// Builds the orderer's blocks: header (number, previous header hash, data hash), data = the envelopes as received,
/// and the five metadata entries, SIGNATURES carrying the last config index (OrdererBlockMetadata) and the orderer's signature over value ‖ signature header ‖ header.
/// </summary>
internal sealed class BlockFactory(NodeMaterial orderer, string channelId)
{
    /// <summary>
    /// Block 0: one CONFIG envelope signed by the orderer whose data is <c>ConfigEnvelope{config}</c>, the channel's
    /// first configuration (what configtxgen's genesis block holds).
    /// </summary>
    public Block Genesis(Config config) => Create(0, ByteString.Empty, [ConfigEnvelopeBytes(config)], lastConfig: 0);

    /// <summary>
    /// The block after <paramref name="previous"/> holding only a CONFIG envelope with <paramref name="config"/> (the
    /// orderer's own configuration change, e.g. new endpoints); it is its own last config block.
    /// </summary>
    public Block ConfigBlock(Block previous, Config config)
    {
        var number = previous.Header.Number + 1;
        return Create(number, ByteString.CopyFrom(BlockHashes.HeaderHash(previous.Header)), [ConfigEnvelopeBytes(config)], lastConfig: number);
    }

    /// <summary>The block after <paramref name="previous"/> holding <paramref name="envelopes"/>; <paramref name="lastConfig"/> is the chain's last config block.</summary>
    public Block Next(Block previous, IReadOnlyList<ByteString> envelopes, ulong lastConfig) =>
        Create(previous.Header.Number + 1, ByteString.CopyFrom(BlockHashes.HeaderHash(previous.Header)), envelopes, lastConfig);

    private ByteString ConfigEnvelopeBytes(Config config)
    {
        var nonce = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(24));
        var creator = ByteString.CopyFrom(orderer.SerializedIdentity);
        var channelHeader = new ChannelHeader
        {
            Type = (int)HeaderType.Config,
            ChannelId = channelId,
            Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            TxId = TxIdHash.Compute(nonce, creator),
        };
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = channelHeader.ToByteString(),
                SignatureHeader = new SignatureHeader { Creator = creator, Nonce = nonce }.ToByteString(),
            },
            Data = new ConfigEnvelope { Config = config }.ToByteString(),
        }.ToByteString();
        return new Envelope { Payload = payload, Signature = ByteString.CopyFrom(orderer.Sign(payload.Span)) }.ToByteString();
    }

    private Block Create(ulong number, ByteString previousHash, IReadOnlyList<ByteString> envelopes, ulong lastConfig)
    {
        var data = new BlockData();
        data.Data.AddRange(envelopes);
        var header = new BlockHeader { Number = number, PreviousHash = previousHash, DataHash = ByteString.CopyFrom(BlockHashes.DataHash(data)) };

        var value = new OrdererBlockMetadata { LastConfig = new LastConfig { Index = lastConfig } }.ToByteString();
        var signatureHeader = new SignatureHeader
        {
            Creator = ByteString.CopyFrom(orderer.SerializedIdentity),
            Nonce = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(24)),
        }.ToByteString();
        var headerBytes = BlockHashes.HeaderBytes(header);
        var signed = new byte[value.Length + signatureHeader.Length + headerBytes.Length];
        value.Span.CopyTo(signed);
        signatureHeader.Span.CopyTo(signed.AsSpan(value.Length));
        headerBytes.CopyTo(signed.AsSpan(value.Length + signatureHeader.Length));
        var signatures = new Metadata { Value = value };
        signatures.Signatures.Add(new MetadataSignature { SignatureHeader = signatureHeader, Signature = ByteString.CopyFrom(orderer.Sign(signed)) });

        var metadata = new BlockMetadata();
        metadata.Metadata.Add(signatures.ToByteString());

        // The deprecated LAST_CONFIG entry, which Fabric 2.x orderers still fill for older readers.
        metadata.Metadata.Add(new Metadata { Value = new LastConfig { Index = lastConfig }.ToByteString() }.ToByteString());
        metadata.Metadata.Add(ByteString.CopyFrom(new byte[envelopes.Count]));
        metadata.Metadata.Add(ByteString.Empty);
        metadata.Metadata.Add(ByteString.Empty);
        return new Block { Header = header, Data = data, Metadata = metadata };
    }
}
