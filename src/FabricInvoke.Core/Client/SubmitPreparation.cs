using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Core;

/// <summary>
/// What the direct path readies before it broadcasts, started while the peers endorse (or, for a transaction endorsed
/// on its own, when it is submitted): every commit peer's deliver stream (each answers with its current block, so no
/// block can be missed), the first orderer's broadcast stream (its connection is ready when the transaction is) and,
/// when no orderer was given, the orderer discovery. The broadcast waits for all of it. Owned by the stage that holds
/// it (<see cref="Transaction"/>, then <see cref="Commit"/>); disposing it resets whatever was not used.
/// </summary>
internal sealed class SubmitPreparation : IDisposable
{
    private readonly CancellationTokenSource _together;
    private int _disposed;

    private SubmitPreparation(CancellationTokenSource together, DeliverGroup? deliver, PreparedBroadcast? broadcast, Task alongside, long startedAt)
    {
        _together = together;
        Deliver = deliver;
        Broadcast = broadcast;
        Alongside = alongside;
        StartedAt = startedAt;
    }

    /// <summary>The commit wait's streams; null when the caller does not wait for the commit.</summary>
    public DeliverGroup? Deliver { get; }

    /// <summary>The first orderer's stream, opened early; null when no orderer was given (yet).</summary>
    public PreparedBroadcast? Broadcast { get; }

    /// <summary>The deliver connect and the orderer discovery: complete (or failed) before anything is broadcast.</summary>
    public Task Alongside { get; }

    /// <summary>Cancelled when the endorsement (which decides first) fails; the endorsement runs under it too.</summary>
    public CancellationTokenSource Together => _together;

    /// <summary>The clock's timestamp when the preparation (and the endorsement beside it) started.</summary>
    public long StartedAt { get; }

    /// <summary>Starts the deliver connect, the broadcast stream and (no orderer given) the orderer discovery.</summary>
    public static SubmitPreparation Start(FabricClient client, SignedChaincodeProposal proposal, Invocation.InvokeTrace? trace, CancellationToken cancellationToken)
    {
        var connections = client.Connections;
        var settings = client.Stages;
        var together = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = client.Time.GetTimestamp();
        DeliverGroup? deliver = null;
        try
        {
            // --waitForEventTimeout (CommitStatusTimeout) starts when the endorsements are in, as in the peer CLI: it
            // bounds the rest of the deliver connect, the broadcast and the commit wait, never the chaincode's run.
            deliver = settings.WaitForCommit
                ? new DeliverGroup(connections.DeliverPeers, client.Signer, proposal.ChannelId, connections.BindTlsCertHash, client.Options.CommitStatusTimeout)
                : null;
            var broadcast = PreparedBroadcast.Open(connections.Orderers, together.Token);
            var connecting = deliver is null ? Task.CompletedTask : ConnectAsync(client, deliver, proposal.TxId, trace, together.Token);
            var discovering = connections.CanDiscoverOrderers ? DiscoverAsync(client, proposal.ChannelId, together.Token) : Task.CompletedTask;
            return new SubmitPreparation(together, deliver, broadcast, Task.WhenAll(connecting, discovering), started);
        }
        catch
        {
            deliver?.Dispose();
            together.Dispose();
            throw;
        }
    }

    private static async Task ConnectAsync(FabricClient client, DeliverGroup deliver, string txId, Invocation.InvokeTrace? trace, CancellationToken cancellationToken)
    {
        var started = client.Time.GetTimestamp();
        await deliver.ConnectAsync(txId, cancellationToken).ConfigureAwait(false);
        trace?.DeliverConnected(client.Time.GetElapsedTime(started));
        client.Observer.DeliverConnected(txId, client.Connections.DeliverPeers.Count);
    }

    private static async Task DiscoverAsync(FabricClient client, string channelId, CancellationToken cancellationToken)
    {
        var connections = client.Connections;
        var (found, ordering, peer) = await OrdererDiscovery.FindAsync(connections.Peers, client.Signer, channelId, client.Options.SubmitTimeout, cancellationToken).ConfigureAwait(false);
        connections.UseDiscoveredOrderers(found, ordering);
        client.Observer.OrderersDiscovered(channelId, peer.Address, found);
    }

    /// <summary>Resets the broadcast stream if unused, closes the deliver streams. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Broadcast?.Dispose();
            _together.Dispose();
            Deliver?.Dispose();
        }
    }
}
