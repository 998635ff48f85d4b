using FabricInvoke.Protos.Common;

namespace FabricInvoke.DevNet;

/// <summary>Misbehaviour a test can switch on for the orderer at any time. Thread-safe; the default is healthy.</summary>
public sealed class OrdererFaults
{
    private readonly Lock _gate = new();
    private Status? _broadcastStatus;
    private string _broadcastInfo = "";
    private TimeSpan _broadcastDelay;

    /// <summary>Answer every broadcast envelope with <c>BroadcastResponse{status, info = BroadcastInfo}</c> and drop it.</summary>
    public Status? BroadcastStatus { get { lock (_gate) { return _broadcastStatus; } } set { lock (_gate) { _broadcastStatus = value; } } }

    /// <summary>The info text sent with <see cref="BroadcastStatus"/>.</summary>
    public string BroadcastInfo { get { lock (_gate) { return _broadcastInfo; } } set { lock (_gate) { _broadcastInfo = value ?? ""; } } }

    /// <summary>Delay before answering each broadcast envelope.</summary>
    public TimeSpan BroadcastDelay { get { lock (_gate) { return _broadcastDelay; } } set { lock (_gate) { _broadcastDelay = value; } } }
}
