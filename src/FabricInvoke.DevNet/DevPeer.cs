using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Peer;

namespace FabricInvoke.DevNet;

/// <summary>One running peer of a <see cref="DevNetwork"/>: where to reach it, what TLS CA to trust, and its faults.</summary>
public sealed class DevPeer
{
    private readonly DevPeerNode _node;
    private readonly NodeHost _host;

    internal DevPeer(DevPeerNode node, NodeHost host)
    {
        _node = node;
        _host = host;
        Address = host.Address;
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

    internal DevPeerNode Node => _node;

    /// <summary>True while the node accepts connections (it was not stopped, or was started again).</summary>
    public bool IsRunning => _host.IsRunning;

    /// <summary>
    /// Stops the node as if its process were killed: every call in flight (deliver streams included) is reset, the
    /// listener closes and new connections are refused. Its ledger stays on disk (and keeps receiving blocks, as a
    /// restarted node would catch up on them). The port stays reserved for <see cref="StartAsync"/>. No-op when stopped.
    /// </summary>
    public Task StopAsync() => _host.CrashAsync();

    /// <summary>Starts the node again on the same address and port, with the same ledger. No-op when running.</summary>
    /// <exception cref="IOException">The port cannot be bound.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) => _host.ResumeAsync(cancellationToken);

    /// <summary><see cref="StopAsync"/> then <see cref="StartAsync"/>: a peer restart on the same port and ledger.</summary>
    /// <exception cref="IOException">The port cannot be bound.</exception>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);
        await StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override string ToString() => $"{Name} ({MspId}) at {Address}";
}
