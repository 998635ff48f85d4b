namespace FabricInvoke.Cli.Commands;

/// <summary>
/// Keeps a batch's heap small. The native build's gen0 budget is 32 MiB (the csproj's GCgen0size, chosen so a single
/// 16-peer invoke never collects mid-endorsement), and a long batch fills that budget before each collection: its peak
/// RSS was ~22 MB + 32 MiB + live data. A batch is no start-up race, so after every 8 MiB allocated it asks for a
/// gen0 collection itself (about a millisecond each); a single invoke is unaffected. Figures in docs/performance.md.
/// The CLI owns its process, so the process-wide call belongs here, not in Core's batch engine.
/// </summary>
internal sealed class BatchHeap
{
    private const long Budget = 8L * 1024 * 1024;
    private long _mark = GC.GetTotalAllocatedBytes();

    /// <summary>Called once per finished line: collects gen0 when 8 MiB were allocated since the last collection.</summary>
    public void AfterLine()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        if (allocated - _mark >= Budget)
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            _mark = allocated;
        }
    }
}
