namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>
/// The doctor's stages that run once the identity loaded and a peer answered, in order: each gets the invoke's own
/// connections and identity (<see cref="DoctorContext"/>) and returns its lines. The identity and node (TCP, TLS)
/// checks run before them, in <see cref="DoctorPipeline"/>.
/// </summary>
internal static class DoctorStages
{
    /// <summary>The stages after the node checks in <paramref name="nodes"/>.</summary>
    public static IReadOnlyList<Func<DoctorContext, CancellationToken, Task<IReadOnlyList<DoctorCheck>>>> After(NodeReport nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return
        [
            nodes.ServicesAsync,
            ChannelChecks.RunAsync,
        ];
    }
}
