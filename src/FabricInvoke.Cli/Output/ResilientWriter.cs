using System.Text;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// stdout or stderr as a command writes them: a write that fails (the stream closed, a full device, a pipe whose
/// reader went away) is dropped instead of crashing the process, so the exit code a command earned is the exit code
/// a script sees. After the first failure the stream is treated as gone.
/// </summary>
internal sealed class ResilientWriter : TextWriter
{
    private readonly TextWriter _inner;
    private volatile bool _broken;

    public ResilientWriter(TextWriter inner)
    {
        _inner = inner;
    }

    public override Encoding Encoding => _inner.Encoding;

    /// <summary>
    /// Wraps a console stream. When the process was started with that descriptor closed, .NET cannot even open it (the
    /// getter throws): then everything written to it is dropped, as it would be on a closed stream.
    /// </summary>
    public static ResilientWriter Open(Func<TextWriter> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        try
        {
            return new ResilientWriter(open());
        }
        catch (Exception e) when (IsStreamGone(e))
        {
            return new ResilientWriter(Null) { _broken = true };
        }
    }

    /// <summary>True once a write has failed.</summary>
    public bool IsBroken => _broken;

    public override void Write(char value) => Guard(() => _inner.Write(value));

    public override void Write(string? value) => Guard(() => _inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guard(() => _inner.Write(buffer, index, count));

    public override void WriteLine() => Guard(_inner.WriteLine);

    public override void WriteLine(string? value) => Guard(() => _inner.WriteLine(value));

    public override void Flush() => Guard(_inner.Flush);

    public override Task WriteAsync(char value) => GuardAsync(() => _inner.WriteAsync(value));

    public override Task WriteAsync(string? value) => GuardAsync(() => _inner.WriteAsync(value));

    public override Task WriteAsync(char[] buffer, int index, int count) => GuardAsync(() => _inner.WriteAsync(buffer, index, count));

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) => GuardAsync(() => _inner.WriteAsync(buffer, cancellationToken));

    public override Task WriteLineAsync() => GuardAsync(_inner.WriteLineAsync);

    public override Task WriteLineAsync(string? value) => GuardAsync(() => _inner.WriteLineAsync(value));

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) => GuardAsync(() => _inner.WriteLineAsync(buffer, cancellationToken));

    public override Task FlushAsync() => GuardAsync(_inner.FlushAsync);

    public override Task FlushAsync(CancellationToken cancellationToken) => GuardAsync(() => _inner.FlushAsync(cancellationToken));

    private void Guard(Action write)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            write();
        }
        catch (Exception e) when (IsStreamGone(e))
        {
            _broken = true;
        }
    }

    private async Task GuardAsync(Func<Task> write)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception e) when (IsStreamGone(e))
        {
            _broken = true;
        }
    }

    /// <summary>What a write to a closed, full or abandoned stream throws.</summary>
    private static bool IsStreamGone(Exception e) => e is IOException or ObjectDisposedException or UnauthorizedAccessException or NotSupportedException;
}
