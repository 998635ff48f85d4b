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
    /// Awaits two different pieces of work; when one faults, cancels <paramref name="failFast"/> so the other stops,
    /// and rethrows that first failure. Results stay in the tasks.
    /// </summary>
    public static async Task WhenBothFailFast(Task first, Task second, CancellationTokenSource failFast)
    {
        var done = await Task.WhenAny(first, second).ConfigureAwait(false);
        var other = done == first ? second : first;
        if (done.IsFaulted || (done.IsCanceled && !failFast.IsCancellationRequested))
        {
            await failFast.CancelAsync().ConfigureAwait(false);
            try
            {
                await other.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Stopped because of the first failure: a consequence, not news.
            }

            await done.ConfigureAwait(false);
        }

        await other.ConfigureAwait(false);
        await done.ConfigureAwait(false);
    }
}
