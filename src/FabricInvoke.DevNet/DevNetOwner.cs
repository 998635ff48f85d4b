namespace FabricInvoke.DevNet;

/// <summary>
/// The process that owns a DevNet folder (holds its <c>devnet.lock</c>), as recorded in <c>devnet.owner</c>.
/// </summary>
/// <param name="ProcessId">The owner's process id.</param>
/// <param name="Description">What the owner is, e.g. "fabinvoke devnet up" (<see cref="DevNetOptions.OwnerDescription"/>).</param>
/// <param name="Attachable">True when other processes may use the running network (<see cref="DevNetOptions.Attachable"/>).</param>
/// <param name="Since">When it took the folder.</param>
public sealed record DevNetOwner(int ProcessId, string Description, bool Attachable, DateTimeOffset Since);
