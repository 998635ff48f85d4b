using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Orderer;

namespace FabricInvoke.DevNet;

/// <summary>A running orderer of a <see cref="DevNetwork"/> (one of several with <see cref="DevNetOptions.Orderers"/>).</summary>
public sealed class DevOrderer
{
    private readonly DevOrdererNode _node;
    private readonly NodeHost _host;
    private readonly OrdererFrontend _frontend;

    internal DevOrderer(DevOrdererNode node, NodeHost host, OrdererFrontend frontend)
    {
        _node = node;
        _host = host;
        _frontend = frontend;
        Address = host.Address;
    }

    /// <summary>"orderer.example.com"; with several orderers "orderer1.example.com", "orderer2.example.com", ….</summary>
    public string Name => _frontend.Name;

    /// <summary>"OrdererMSP".</summary>
    public string MspId => _node.Identity.MspId;

    /// <summary>"127.0.0.1:&lt;port&gt;".</summary>
    public string Address { get; }

    /// <summary>The orderer org's TLS CA PEM.</summary>
    public string TlsRootCertFile => _node.TlsRootCertFile;

    /// <summary>Misbehaviour to inject; healthy by default.</summary>
    public OrdererFaults Faults => _frontend.Faults;

    /// <summary>Number of blocks the orderer has cut (including the genesis block); shared by all orderers of a BFT-like network.</summary>
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
