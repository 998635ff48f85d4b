namespace FabricInvoke.DevNet.Tests.Infrastructure;

/// <summary>Records a network's diagnostics and lets a test await one (already reported or still to come).</summary>
public sealed class DiagnosticLog
{
    private readonly Lock _gate = new();
    private readonly List<DevNetDiagnostic> _seen = [];
    private readonly List<(Func<DevNetDiagnostic, bool> Match, TaskCompletionSource<DevNetDiagnostic> Done)> _waiters = [];
    private int _mark;

    public void Add(DevNetDiagnostic diagnostic)
    {
        List<TaskCompletionSource<DevNetDiagnostic>> done;
        lock (_gate)
        {
            _seen.Add(diagnostic);
            done = _waiters.Where(w => w.Match(diagnostic)).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => w.Match(diagnostic));
        }

        foreach (var d in done)
        {
            d.TrySetResult(diagnostic);
        }
    }

    /// <summary>From now on, <see cref="WaitFor"/> only considers diagnostics reported after this call.</summary>
    public void Mark()
    {
        lock (_gate)
        {
            _mark = _seen.Count;
        }
    }

    public IReadOnlyList<DevNetDiagnostic> All
    {
        get
        {
            lock (_gate)
            {
                return _seen.ToList();
            }
        }
    }

    /// <summary>The first diagnostic of <paramref name="kind"/> about <paramref name="node"/> since the last <see cref="Mark"/>.</summary>
    public Task<DevNetDiagnostic> WaitFor(DevNetDiagnosticKind kind, string node)
    {
        bool Match(DevNetDiagnostic d) => d.Kind == kind && d.Node == node;
        lock (_gate)
        {
            if (_seen.Skip(_mark).FirstOrDefault(Match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var done = new TaskCompletionSource<DevNetDiagnostic>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((Match, done));
            return done.Task;
        }
    }
}
