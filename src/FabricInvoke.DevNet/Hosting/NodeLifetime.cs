namespace FabricInvoke.DevNet.Hosting;

/// <summary>Signals that the network is shutting down, so long-lived streams end promptly instead of holding Kestrel open.</summary>
internal sealed class NodeLifetime : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public CancellationToken Stopping => _stopping.Token;

    public void Stop() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
