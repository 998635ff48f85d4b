namespace FabricInvoke.Core.Internal;

/// <summary>Parallel per-peer work where the first failure wins and stops the rest.</summary>
internal static class FanOut
{
    /// <summary>
    /// Awaits every task; on the first one to fault, cancels <paramref name="failFast"/> so the others stop,
    /// and rethrows that first failure (not the cancellations it caused). Results keep the input order.
    /// </summary>
    public static async Task<IReadOnlyList<T>> WhenAllFailFast<T>(IReadOnlyList<Task<T>> tasks, CancellationTokenSource failFast)
    {
        var pending = tasks.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (done.IsFaulted || (done.IsCanceled && !failFast.IsCancellationRequested))
            {
                await failFast.CancelAsync().ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(pending).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The others were cancelled because of this failure; their errors are consequences.
                }

                await done.ConfigureAwait(false);
            }
        }

        // Cancelled from outside (timeout or Ctrl-C): report it as cancellation, which callers map.
        failFast.Token.ThrowIfCancellationRequested();
        return tasks.Select(t => t.Result).ToList();
    }

    /// <summary>
    /// Awaits <paramref name="decisive"/> and <paramref name="alongside"/>, where the first one's outcome decides: when
    /// it faults, <paramref name="failFast"/> is cancelled so the other stops, and its failure is rethrown; a failure of
    /// <paramref name="alongside"/> does not stop it and is rethrown only once <paramref name="decisive"/> has
    /// succeeded. The same faults therefore give the same failure, whichever side notices first.
    /// </summary>
    public static async Task FirstDecides(Task decisive, Task alongside, CancellationTokenSource failFast)
    {
        try
        {
            await decisive.ConfigureAwait(false);
        }
        catch (Exception)
        {
            await failFast.CancelAsync().ConfigureAwait(false);
            try
            {
                await alongside.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Stopped because of the decisive failure, or failed alongside: either way not the news.
            }

            throw;
        }

        await alongside.ConfigureAwait(false);
    }
}
