namespace FabricInvoke.Cli.Output;

/// <summary>
/// stdout as a byte stream with <see cref="ResilientWriter"/>'s rule: a write that fails (closed, full, abandoned) is
/// dropped, never a crash. Opened on first use; text written before goes through the text writer, which is flushed
/// first so the order on the terminal is kept.
/// </summary>
internal sealed class ResilientStream : Stream
{
    private readonly Func<Stream> _open;
    private Stream? _inner;
    private bool _broken;

    public ResilientStream(Func<Stream> open)
    {
        _open = open;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            (_inner ??= _open()).Write(buffer);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException or NotSupportedException)
        {
            _broken = true;
        }
    }

    public override void Flush()
    {
        if (_broken || _inner is null)
        {
            return;
        }

        try
        {
            _inner.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException or NotSupportedException)
        {
            _broken = true;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
