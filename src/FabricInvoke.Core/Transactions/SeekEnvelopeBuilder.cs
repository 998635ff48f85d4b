using FabricInvoke.Core.Identity;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Orderer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FabricInvoke.Core.Transactions;

/// <summary>Builds the deliver request the Go CLI sends (protoutil.CreateSignedEnvelopeWithTLSBinding in createDeliverEnvelope).</summary>
internal static class SeekEnvelopeBuilder
{
    /// <summary>
    /// The DELIVER_SEEK_INFO payload: ChannelHeader{type 5, timestamp (seconds only), channel_id, tls_cert_hash if
    /// non-empty}, SignatureHeader{creator, nonce}, SeekInfo{start (Newest unless given), stop Specified(MaxUint64),
    /// BLOCK_UNTIL_READY}.
    /// </summary>
    public static ByteString CreatePayload(
        string channelId, ReadOnlySpan<byte> creator, ReadOnlySpan<byte> nonce, Timestamp timestamp, ReadOnlySpan<byte> tlsCertHash, SeekFrom? start = null)
    {
        ArgumentNullException.ThrowIfNull(channelId);
        ArgumentNullException.ThrowIfNull(timestamp);
        var channelHeader = new ChannelHeader
        {
            Type = (int)HeaderType.DeliverSeekInfo,
            Timestamp = timestamp.Clone(),
            ChannelId = channelId,
            TlsCertHash = ByteString.CopyFrom(tlsCertHash),
        };
        var signatureHeader = new SignatureHeader
        {
            Creator = ByteString.CopyFrom(creator),
            Nonce = ByteString.CopyFrom(nonce),
        };
        var seekInfo = new SeekInfo
        {
            Start = (start ?? SeekFrom.Newest).ToProto(),
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = ulong.MaxValue } },
            Behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady,
        };

        return new Payload
        {
            Header = new Header
            {
                ChannelHeader = channelHeader.ToByteString(),
                SignatureHeader = signatureHeader.ToByteString(),
            },
            Data = seekInfo.ToByteString(),
        }.ToByteString();
    }

    /// <summary>A signed seek envelope with a fresh nonce and <paramref name="now"/> truncated to whole seconds (as Go's MakeChannelHeader).</summary>
    public static Envelope CreateSignedEnvelope(string channelId, SigningIdentity signer, DateTimeOffset now, ReadOnlySpan<byte> tlsCertHash, SeekFrom? start = null)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var timestamp = new Timestamp { Seconds = now.ToUnixTimeSeconds(), Nanos = 0 };
        var payload = CreatePayload(channelId, signer.Creator, TxIds.NewNonce(), timestamp, tlsCertHash, start);
        return new Envelope { Payload = payload, Signature = ByteString.CopyFrom(signer.Sign(payload.Span)) };
    }
}
