using FabricInvoke.DevNet.Orderer;

namespace FabricInvoke.DevNet;

/// <summary>The running orderer of a <see cref="DevNetwork"/>.</summary>
public sealed class DevOrderer
{
    private readonly OrdererNode _node;

    internal DevOrderer(OrdererNode node, string address)
    {
        _node = node;
        Address = address;
    }

    /// <summary>"127.0.0.1:&lt;port&gt;".</summary>
    public string Address { get; }

    /// <summary>The orderer org's TLS CA PEM.</summary>
    public string TlsRootCertFile => _node.TlsRootCertFile;

    /// <summary>Misbehaviour to inject; healthy by default.</summary>
    public OrdererFaults Faults => _node.Faults;

    /// <summary>Number of blocks the orderer has cut (including the genesis block).</summary>
    public ulong Height => _node.Blocks.Height;

    public override string ToString() => $"orderer.example.com at {Address}";
}
