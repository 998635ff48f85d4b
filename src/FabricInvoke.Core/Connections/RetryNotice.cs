namespace FabricInvoke.Core.Connections;

/// <summary>A connection attempt failed and will be tried again after <paramref name="Delay"/> (within the connect timeout).</summary>
internal sealed record RetryNotice(string Role, string Address, string Problem, TimeSpan Delay);
