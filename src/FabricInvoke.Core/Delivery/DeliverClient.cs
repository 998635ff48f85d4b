using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

namespace FabricInvoke.Core.Delivery;

/// <summary>
/// One peer's Deliver service for one channel: opens streams of filtered or full blocks from a chosen position, each
/// asked for with a signed seek request (bound to the client TLS certificate under mutual TLS), as the peer CLI does.
/// </summary>
internal sealed class DeliverClient
{
    private readonly SigningIdentity _signer;
    private readonly bool _bindTlsCertHash;

    /// <summary>A Deliver client for <paramref name="channelId"/> on <paramref name="peer"/>, signing its seek requests with <paramref name="signer"/>.</summary>
    /// <param name="peer">The peer, from <see cref="ChaincodeCmdFactory.Peers"/> or <see cref="ChaincodeCmdFactory.DeliverPeers"/>.</param>
    /// <param name="signer">The identity the peer checks against the channel's readers policy.</param>
    /// <param name="channelId">The channel.</param>
    /// <param name="bindTlsCertHash">Put the SHA-256 of the client TLS certificate into the seek request (peers that require client authentication check it).</param>
    public DeliverClient(PeerNode peer, SigningIdentity signer, string channelId, bool bindTlsCertHash)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(channelId);
        Peer = peer;
        _signer = signer;
        ChannelId = channelId;
        _bindTlsCertHash = bindTlsCertHash;
    }

    /// <summary>The peer.</summary>
    public PeerNode Peer { get; }

    /// <summary>The peer's address.</summary>
    public string Address => Peer.Address;

    /// <summary>The channel whose blocks are read.</summary>
    public string ChannelId { get; }

    /// <summary>
    /// Starts a stream from <paramref name="start"/> to the end of time (stop MaxUint64, BLOCK_UNTIL_READY). The call is
    /// made at once; the peer's answer (a block, or a status such as FORBIDDEN) comes with the first read.
    /// </summary>
    /// <param name="cancellationToken">Ends the stream when cancelled.</param>
    public BlockStream Open(SeekFrom start, BlockKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var hash = _bindTlsCertHash ? Peer.Connection.ClientCertificateHash() : [];
        var seek = SeekEnvelopeBuilder.CreateSignedEnvelope(ChannelId, _signer, Peer.Connection.Time.GetUtcNow(), hash, start);
        var call = Peer.Calls.AsyncDuplexStreamingCall(
            kind == BlockKind.Full ? FabricCalls.Deliver : FabricCalls.DeliverFiltered, null, new CallOptions(cancellationToken: cancellationToken));
        return new BlockStream(Peer.Connection, call, seek, kind);
    }
}
