using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Identity;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.Core.Connections;

/// <summary>One peer: its connection and the two clients that share it.</summary>
public sealed class PeerNode
{
    internal PeerNode(NodeConnection connection)
    {
        Connection = connection;
        Endorser = new Endorser.EndorserClient(connection.Channel);
        Deliver = new Deliver.DeliverClient(connection.Channel);
    }

    public string Address => Connection.Address;

    public NodeConnection Connection { get; }

    public Endorser.EndorserClient Endorser { get; }

    public Deliver.DeliverClient Deliver { get; }
}

/// <summary>One orderer connection with its broadcast client.</summary>
public sealed class OrdererNode
{
    internal OrdererNode(NodeConnection connection)
    {
        Connection = connection;
        Broadcast = new AtomicBroadcast.AtomicBroadcastClient(connection.Channel);
    }

    public string Address => Connection.Address;

    public NodeConnection Connection { get; }

    public AtomicBroadcast.AtomicBroadcastClient Broadcast { get; }
}

/// <summary>
/// What one invocation talks to and signs with (the Go CLI's ChaincodeCmdFactory): the signer,
/// one connection per peer (endorser + deliver) and the orderers in the order given.
/// </summary>
public sealed class ChaincodeCmdFactory : IDisposable
{
    private ChaincodeCmdFactory(SigningIdentity signer, IReadOnlyList<PeerNode> peers, IReadOnlyList<OrdererNode> orderers)
    {
        Signer = signer;
        Peers = peers;
        Orderers = orderers;
    }

    public SigningIdentity Signer { get; }

    public IReadOnlyList<PeerNode> Peers { get; }

    public IReadOnlyList<OrdererNode> Orderers { get; }

    /// <summary>Loads the identity and every TLS file, and creates the (lazily connecting) channels.</summary>
    /// <exception cref="Errors.FabricInvokeException">Config: the MSP folder or a TLS file cannot be used.</exception>
    /// <param name="onRetry">Told about each connect retry to a peer or orderer.</param>
    public static ChaincodeCmdFactory Create(InvokeSettings settings, SigningIdentity signer, Action<RetryNotice>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var created = new List<NodeConnection>();
        try
        {
            var peers = settings.Peers.Select(p => new PeerNode(Track(NodeConnection.Create("peer", p, settings.PeerTransport, onRetry)))).ToList();
            var orderers = settings.Orderers.Select(o => new OrdererNode(Track(NodeConnection.Create("orderer", o, settings.OrdererTransport, onRetry)))).ToList();
            return new ChaincodeCmdFactory(signer, peers, orderers);
        }
        catch
        {
            foreach (var c in created)
            {
                c.Dispose();
            }

            throw;
        }

        NodeConnection Track(NodeConnection c)
        {
            created.Add(c);
            return c;
        }
    }

    public void Dispose()
    {
        foreach (var p in Peers)
        {
            p.Connection.Dispose();
        }

        foreach (var o in Orderers)
        {
            o.Connection.Dispose();
        }
    }
}
