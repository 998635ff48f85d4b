namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>
/// The doctor's stages that run once the identity loaded and a peer answered, in order: each gets the invoke's own
/// connections and identity (<see cref="DoctorContext"/>) and returns its lines. The identity, node (TCP, TLS) and
/// service checks come before them, in <see cref="DoctorPipeline"/>.
/// </summary>
internal static class DoctorStages
{
    /// <summary>The stages after the node and service checks (<paramref name="nodes"/>: what the node checks found).</summary>
    public static IReadOnlyList<Func<DoctorContext, CancellationToken, Task<IReadOnlyList<DoctorCheck>>>> After(NodeReport nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return
        [
            ChannelChecks.RunAsync,
        ];
    }
}
