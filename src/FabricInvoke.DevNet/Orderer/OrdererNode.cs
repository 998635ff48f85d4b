using System.Threading.Channels;
using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Peer;
using FabricInvoke.DevNet.Validation;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Orderer;

/// <summary>
/// The single (solo-style) orderer: accepts envelopes, cuts a block when BatchSize envelopes are pending or
/// BatchTimeout after the first pending one, appends it to its own chain and hands it to every peer.
/// </summary>
internal sealed class OrdererNode : IAsyncDisposable
{
    private readonly Channel<ByteString> _pending = Channel.CreateUnbounded<ByteString>(new UnboundedChannelOptions { SingleReader = true });
    private readonly BlockFactory _factory;
    private readonly IReadOnlyList<PeerNode> _peers;
    private readonly TimeSpan _batchTimeout;
    private readonly int _batchSize;
    private readonly CancellationTokenSource _stop = new();
    private Task _cutter = Task.CompletedTask;

    public OrdererNode(string channelId, NodeMaterial identity, string tlsRootCertFile, MspRegistry msp, BlockStore blocks, OrdererFaults faults, IReadOnlyList<PeerNode> peers, TimeSpan batchTimeout, int batchSize)
    {
        ChannelId = channelId;
        Identity = identity;
        TlsRootCertFile = tlsRootCertFile;
        Msp = msp;
        Blocks = blocks;
        Faults = faults;
        _peers = peers;
        _batchTimeout = batchTimeout;
        _batchSize = batchSize;
        _factory = new BlockFactory(identity, channelId);
        if (blocks.Height == 0)
        {
            blocks.Append(_factory.Genesis());
        }
    }

    public string ChannelId { get; }

    public NodeMaterial Identity { get; }

    public string TlsRootCertFile { get; }

    public MspRegistry Msp { get; }

    public BlockStore Blocks { get; }

    public OrdererFaults Faults { get; }

    /// <summary>Brings every peer up to the orderer's height, then starts cutting blocks.</summary>
    public void Start()
    {
        foreach (var peer in _peers)
        {
            for (var number = peer.Blocks.Height; number < Blocks.Height; number++)
            {
                peer.Commit(Blocks.Get(number)!);
            }
        }

        _cutter = Task.Run(() => CutBlocksAsync(_stop.Token));
    }

    /// <summary>Queues an accepted envelope for the next block.</summary>
    public void Enqueue(ByteString envelope) => _pending.Writer.TryWrite(envelope);

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _cutter.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected on shutdown.
        }

        _stop.Dispose();
        Blocks.Dispose();
        Identity.Dispose();
    }

    private async Task CutBlocksAsync(CancellationToken cancellationToken)
    {
        var reader = _pending.Reader;
        var batch = new List<ByteString>(_batchSize);
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_batchTimeout);
            try
            {
                while (batch.Count < _batchSize)
                {
                    if (reader.TryRead(out var envelope))
                    {
                        batch.Add(envelope);
                        continue;
                    }

                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // BatchTimeout elapsed: cut what is pending.
            }

            if (batch.Count > 0)
            {
                Cut(batch);
                batch.Clear();
            }
        }
    }

    private void Cut(IReadOnlyList<ByteString> envelopes)
    {
        var block = _factory.Next(Blocks.Last()!, envelopes);
        Blocks.Append(block);
        foreach (var peer in _peers)
        {
            peer.Commit(block);
        }
    }
}
