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

    private readonly FabricLog _log;
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly int _width;
    private readonly int _commitPeers;
    private readonly int _endorsers;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private string _phase;
    private int _committed;
    private bool _waiting;
    private bool _disposed;

    /// <param name="endorsers">How many peers endorse.</param>
    /// <param name="commitPeers">How many peers report the commit (shown as "committed on 1/2 peers").</param>
    /// <param name="width">The terminal's width in columns: the line is kept shorter, so it never wraps.</param>
    public LiveProgress(FabricLog log, TimeProvider time, long startedAt, int width, int endorsers, int commitPeers)
    {
        _endorsers = endorsers;
        _log = log;
        _time = time;
        _startedAt = startedAt;
        _width = width;
        _commitPeers = commitPeers;
        _phase = "preparing the proposal";
        Draw();
        _timer = time.CreateTimer(_ => Draw(), null, Refresh, Refresh);
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

        Draw();
    }

    private void Set(string? phase, bool waiting = false)
    {
        lock (_gate)
        {
            _phase = phase ?? _phase;
            _waiting |= waiting;
        }

        Draw();
    }

    private void Draw()
    {
        string text;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var elapsed = _time.GetElapsedTime(_startedAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            text = _waiting
                ? $"waiting for the commit: committed on {_committed}/{_commitPeers} peer{(_commitPeers == 1 ? "" : "s")} ({elapsed} s)"
                : $"{_phase} ({elapsed} s)";
            // At most width - 1 columns, so the line never wraps (a wrapped line cannot be erased in place); too
            // narrow a terminal for any text (1 column) shows none.
            if (_width < 2)
            {
                return;
            }

            if (text.Length >= _width)
            {
                text = _width >= 3 ? text[..(_width - 2)] + "…" : text[..(_width - 1)];
            }

            // Under the gate, so a late timer tick cannot draw after Dispose erased the line.
            _log.ShowStatus(text);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _timer.Dispose();
        _log.ClearStatus();
    }
}
