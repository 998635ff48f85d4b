namespace FabricInvoke.Cli.Output;

/// <summary>
/// One self-rewriting stderr status line: its text drawn at once, then on every refresh and every <see cref="Draw"/>, kept narrower than the terminal so it never wraps;
/// erased when disposed. Drawing and erasing share one gate, so a late timer tick cannot draw after Dispose erased
/// the line. Serves the invoke's <see cref="LiveProgress"/> and the batch's live line.
/// </summary>
internal sealed class StatusLine : IDisposable
{
    private readonly FabricLog _log;
    private readonly int _width;
    private readonly Func<string> _text;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <param name="width">The terminal's width in columns (1 column: too narrow for any text, none is shown).</param>
    /// <param name="text">The line's text, asked for under the gate at each draw.</param>
    public StatusLine(FabricLog log, TimeProvider time, int width, TimeSpan refresh, Func<string> text)
    {
        _log = log;
        _width = width;
        _text = text;
        Draw();
        _timer = time.CreateTimer(_ => Draw(), null, refresh, refresh);
    }

    /// <summary>Redraws the line now (nothing once disposed).</summary>
    public void Draw()
    {
        lock (_gate)
        {
            // At most width - 1 columns, so the line never wraps (a wrapped line cannot be erased in place).
            if (_disposed || _width < 2)
            {
                return;
            }

            var line = _text();
            if (line.Length >= _width)
            {
                line = _width >= 3 ? line[..(_width - 2)] + "…" : line[..(_width - 1)];
            }

            // Under the gate, so a late timer tick cannot draw after Dispose erased the line.
            _log.ShowStatus(line);
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
