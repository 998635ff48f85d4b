using FabricInvoke.DevNet.Peer;

namespace FabricInvoke.DevNet;

/// <summary>One running peer of a <see cref="DevNetwork"/>: where to reach it, what TLS CA to trust, and its faults.</summary>
public sealed class DevPeer
{
    private readonly PeerNode _node;

    internal DevPeer(PeerNode node, string address)
    {
        _node = node;
        Address = address;
    }

    /// <summary>"peer0.org1.example.com".</summary>
    public string Name => _node.Name;

    /// <summary>"Org1MSP".</summary>
    public string MspId => _node.Identity.MspId;

    /// <summary>"127.0.0.1:&lt;port&gt;" (the port the OS chose).</summary>
    public string Address { get; }

    /// <summary>The org TLS CA PEM a client trusts for this peer.</summary>
    public string TlsRootCertFile => _node.TlsRootCertFile;

    /// <summary>Misbehaviour to inject; healthy by default.</summary>
    public PeerFaults Faults => _node.Faults;

    /// <summary>Number of blocks committed on this peer.</summary>
    public ulong Height => _node.Blocks.Height;

    internal PeerNode Node => _node;

    public override string ToString() => $"{Name} ({MspId}) at {Address}";
}
