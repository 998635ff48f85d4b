namespace FabricInvoke.DevNet.Orderer;

/// <summary>
/// One orderer of the network as clients see it: a name, a TLS server (its own host) and its own faults. A single-orderer
/// network has one, named as its <see cref="DevOrdererNode"/>; a BFT-like one has several over the same block cutter.
/// </summary>
internal sealed class OrdererFrontend(string name, OrdererFaults faults)
{
    public string Name { get; } = name;

    public OrdererFaults Faults { get; } = faults;
}
