using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Internal;

namespace FabricInvoke.Core.Delivery;

/// <summary>
/// The deliver streams of every peer for one transaction (the Go CLI's DeliverGroup), made race-free:
/// <see cref="ConnectAsync"/> returns only when every peer has answered with its current block, so the
/// transaction can be broadcast without any chance of its block being missed.
/// </summary>
public sealed class DeliverGroup : IDisposable
{
    private readonly IReadOnlyList<DeliverStream> _streams;
    private readonly SigningIdentity _signer;
    private readonly string _channelId;
    private readonly bool _bindTlsCertHash;
    private readonly TimeProvider _time;

    public DeliverGroup(IReadOnlyList<PeerNode> peers, SigningIdentity signer, string channelId, bool bindTlsCertHash, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _streams = peers.Select(p => new DeliverStream(p)).ToList();
        _signer = signer;
        _channelId = channelId;
        _bindTlsCertHash = bindTlsCertHash;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Connects every peer in parallel; the first failure stops the others.</summary>
    /// <exception cref="Errors.FabricInvokeException">Connection or Deliver (a status such as FORBIDDEN, a closed stream).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (timeout or user).</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var now = _time.GetUtcNow();
        var tasks = _streams.Select(async s =>
        {
            await s.ConnectAsync(_signer, _channelId, _bindTlsCertHash, now, failFast.Token).ConfigureAwait(false);
            return true;
        }).ToList();
        await FanOut.WhenAllFailFast(tasks, failFast).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until every peer reports <paramref name="txId"/>. Returns each peer's validation code (callers decide
    /// what non-VALID means); a deliver failure on any peer ends the wait at once.
    /// </summary>
    /// <exception cref="Errors.FabricInvokeException">Deliver: a status before the txid or a closed stream.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (timeout or user).</exception>
    public async Task<IReadOnlyList<CommitResult>> WaitAsync(string txId, long broadcastAt, Action<CommitResult>? onCommit, CancellationToken cancellationToken)
    {
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = _streams.Select(async s =>
        {
            var result = await s.WaitForAsync(txId, broadcastAt, failFast.Token).ConfigureAwait(false);
            onCommit?.Invoke(result);
            return result;
        }).ToList();
        return await FanOut.WhenAllFailFast(tasks, failFast).ConfigureAwait(false);
    }

    /// <summary>Peers that have not reported yet are unknown to the group; callers track them via onCommit.</summary>
    public IReadOnlyList<string> Addresses => _streams.Select(s => s.Address).ToList();

    public void Dispose()
    {
        foreach (var s in _streams)
        {
            s.Dispose();
        }
    }
}
