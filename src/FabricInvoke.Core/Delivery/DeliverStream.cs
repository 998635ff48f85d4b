using System.Diagnostics;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

namespace FabricInvoke.Core.Delivery;

/// <summary>One peer's DeliverFiltered stream, from the signed seek request to the awaited transaction.</summary>
internal sealed class DeliverStream : IDisposable
{
    private readonly PeerNode _peer;
    private AsyncDuplexStreamingCall<Envelope, DeliverResponse>? _call;

    public DeliverStream(PeerNode peer)
    {
        _peer = peer;
    }

    public string Address => _peer.Address;

    /// <summary>The newest block number at connect time.</summary>
    public ulong ConnectedAtBlock { get; private set; }

    /// <summary>
    /// Opens the stream, sends the signed seek (Newest → MaxUint64, BLOCK_UNTIL_READY) and waits for the peer's
    /// first answer, its current newest block: only then can no later block be missed.
    /// </summary>
    public async Task ConnectAsync(SigningIdentity signer, string channelId, bool bindTlsCertHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hash = bindTlsCertHash ? _peer.Connection.ClientCertificateHash() : [];
        var seek = SeekEnvelopeBuilder.CreateSignedEnvelope(channelId, signer, now, hash);
        try
        {
            _call = _peer.Deliver.DeliverFiltered(cancellationToken: cancellationToken);
            if (await StreamWrites.TryWriteAsync(_call.RequestStream, seek, cancellationToken).ConfigureAwait(false))
            {
                // As the peer CLI does: nothing more will be sent on this stream.
                await StreamWrites.TryCompleteAsync(_call.RequestStream).ConfigureAwait(false);
            }

            var first = await NextAsync(null, cancellationToken).ConfigureAwait(false);
            ConnectedAtBlock = first.Number;
        }
        catch (RpcException e) when (RpcFailure.IsConnectFailure(e))
        {
            throw Failures.Connection("peer", Address, RpcFailure.Describe(e), e);
        }
    }

    /// <summary>Reads blocks until one holds <paramref name="txId"/>; blocks already seen at connect time never count.</summary>
    public async Task<CommitResult> WaitForAsync(string txId, long broadcastAt, CancellationToken cancellationToken)
    {
        while (true)
        {
            var block = await NextAsync(txId, cancellationToken).ConfigureAwait(false);
            foreach (var tx in block.FilteredTransactions)
            {
                if (tx.Txid == txId)
                {
                    return new CommitResult(Address, tx.TxValidationCode, block.Number, Stopwatch.GetElapsedTime(broadcastAt));
                }
            }
        }
    }

    private async Task<FilteredBlock> NextAsync(string? txId, CancellationToken cancellationToken)
    {
        var mayHaveCommitted = txId is not null;
        bool more;
        try
        {
            more = await StreamWrites.MoveNextAsync(_call!, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (txId is null && RpcFailure.IsConnectFailure(e))
        {
            throw Failures.Connection("peer", Address, RpcFailure.Describe(e), e);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            throw Failures.Deliver(txId, Address, $"stream failed{Before(txId)}: {RpcFailure.Describe(e)}", mayHaveCommitted, e);
        }

        if (!more)
        {
            throw Failures.Deliver(txId, Address, $"stream closed by the peer{Before(txId)}", mayHaveCommitted);
        }

        var response = _call!.ResponseStream.Current;
        switch (response.TypeCase)
        {
            case DeliverResponse.TypeOneofCase.FilteredBlock:
                return response.FilteredBlock;
            case DeliverResponse.TypeOneofCase.Status:
                throw Failures.Deliver(txId, Address, $"deliver completed with status ({FabricNames.Of(response.Status)}){Before(txId)}", mayHaveCommitted);
            default:
                throw Failures.Deliver(txId, Address, $"unexpected deliver response ({response.TypeCase}){Before(txId)}", mayHaveCommitted);
        }
    }

    private static string Before(string? txId) => txId is null ? " before its first block" : " before txid received";

    public void Dispose() => _call?.Dispose();
}
