using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Orderer;

namespace FabricInvoke.DevNet;

/// <summary>The running orderer of a <see cref="DevNetwork"/>.</summary>
public sealed class DevOrderer
{
    private readonly OrdererNode _node;
    private readonly NodeHost _host;

    internal DevOrderer(OrdererNode node, NodeHost host)
    {
        _node = node;
        _host = host;
        Address = host.Address;
    }

    /// <summary>"orderer.example.com".</summary>
    public string Name => _node.Name;

    /// <summary>"OrdererMSP".</summary>
    public string MspId => _node.Identity.MspId;

    /// <summary>"127.0.0.1:&lt;port&gt;".</summary>
    public string Address { get; }

    /// <summary>The orderer org's TLS CA PEM.</summary>
    public string TlsRootCertFile => _node.TlsRootCertFile;

    /// <summary>Misbehaviour to inject; healthy by default.</summary>
    public OrdererFaults Faults => _node.Faults;

    /// <summary>Number of blocks the orderer has cut (including the genesis block).</summary>
    public ulong Height => _node.Blocks.Height;

    /// <summary>True while the node accepts connections (it was not stopped, or was started again).</summary>
    public bool IsRunning => _host.IsRunning;

    /// <summary>
    /// Stops the node as if its process were killed: every call in flight (deliver streams included) is reset, the
    /// listener closes and new connections are refused. Its ledger stays on disk (transactions it accepted are still cut into blocks). The port stays reserved for <see cref="StartAsync"/>. No-op when stopped.
    /// </summary>
    public Task StopAsync() => _host.CrashAsync();

    /// <summary>Starts the node again on the same address and port, with the same ledger. No-op when running.</summary>
    /// <exception cref="IOException">The port cannot be bound.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) => _host.ResumeAsync(cancellationToken);

    public override string ToString() => $"{Name} at {Address}";
}
