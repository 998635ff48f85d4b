using System.Globalization;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// The one self-rewriting stderr line a terminal user sees while an invoke runs: the phase (endorsing, ordering,
/// waiting for the commit) with the commits so far and the time since the command started, refreshed a few times a
/// second; erased when disposed, before the command's final lines. Only made when stderr is a terminal, CI is not
/// set and --no-progress is not given.
/// </summary>
internal sealed class LiveProgress : IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(200);

    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly int _commitPeers;
    private readonly int _endorsers;
    private readonly StatusLine _line;
    private readonly Lock _gate = new();
    private string _phase;
    private int _committed;
    private bool _waiting;

    /// <param name="endorsers">How many peers endorse.</param>
    /// <param name="commitPeers">How many peers report the commit (shown as "committed on 1/2 peers").</param>
    /// <param name="width">The terminal's width in columns: the line is kept shorter, so it never wraps.</param>
    public LiveProgress(FabricLog log, TimeProvider time, long startedAt, int width, int endorsers, int commitPeers)
    {
        _endorsers = endorsers;
        _time = time;
        _startedAt = startedAt;
        _commitPeers = commitPeers;
        _phase = "preparing the proposal";
        _line = new StatusLine(log, time, width, Refresh, Text);
    }

    public void Endorsing() => Set($"endorsing on {_endorsers} peer{(_endorsers == 1 ? "" : "s")}");

    public void Ordering(string? orderer) => Set(orderer is null ? "ordering" : $"ordering through {orderer}");

    public void WaitingForCommit() => Set(null, waiting: true);

    public void Committed()
    {
        lock (_gate)
        {
            _committed++;
        }

        _line.Draw();
    }

    private void Set(string? phase, bool waiting = false)
    {
        lock (_gate)
        {
            _phase = phase ?? _phase;
            _waiting |= waiting;
        }

        _line.Draw();
    }

    private string Text()
    {
        lock (_gate)
        {
            var elapsed = _time.GetElapsedTime(_startedAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            return _waiting
                ? $"waiting for the commit: committed on {_committed}/{_commitPeers} peer{(_commitPeers == 1 ? "" : "s")} ({elapsed} s)"
                : $"{_phase} ({elapsed} s)";
        }
    }

    public void Dispose() => _line.Dispose();
}
