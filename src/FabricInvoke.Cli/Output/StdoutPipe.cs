using System.Runtime.InteropServices;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// stdout when it is a pipe (Linux): how much of what was written its reader has not taken yet (FIONREAD), and whether
/// the reader has gone (poll reports POLLERR on a pipe's write end once no reader is left). An event stream uses it
/// to record a checkpoint only for lines the reader took out of the pipe, and to stop as soon as the reader is gone,
/// even while no event is coming. Elsewhere (a file, a terminal, another system) <see cref="Open"/> gives null and a
/// line counts as delivered once written.
/// </summary>
internal sealed class StdoutPipe
{
    private const int StdoutFd = 1;
    private const nuint Fionread = 0x541B;
    private const short PollErr = 0x8;
    private const short PollHup = 0x10;
    private static readonly TimeSpan MaxWaitStep = TimeSpan.FromMilliseconds(20);
    private readonly TaskCompletionSource _gone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _watching;

    private StdoutPipe()
    {
    }

    /// <summary>The pipe on stdout, or null when stdout is not a pipe or this is not Linux.</summary>
    public static StdoutPipe? Open()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var target = new FileInfo("/proc/self/fd/1").LinkTarget;
            var pipe = target is not null && target.StartsWith("pipe:", StringComparison.Ordinal) ? new StdoutPipe() : null;
            return pipe is not null && pipe.Unread() >= 0 ? pipe : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// A writer straight onto descriptor <paramref name="fd"/> when it is a pipe or a socket (Linux), or null. .NET's
    /// console streams drop a write that fails with EPIPE on Unix, so a reader that went away is never seen through
    /// them; a plain stream on the descriptor reports it (an IOException, which <see cref="ResilientWriter"/> records).
    /// Files and terminals keep the console streams (they share the file offset with the other descriptors).
    /// </summary>
    public static TextWriter? PipeWriter(int fd)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            if (target is null || !(target.StartsWith("pipe:", StringComparison.Ordinal) || target.StartsWith("socket:", StringComparison.Ordinal)))
            {
                return null;
            }

            var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            return new StreamWriter(stream, new System.Text.UTF8Encoding(false), bufferSize: 4096) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Bytes written but not yet read by the reader; -1 when that cannot be told.</summary>
    public int Unread() => NativeMethods.ioctl(StdoutFd, Fionread, out var unread) == 0 ? unread : -1;

    /// <summary>True once no process has the pipe open for reading.</summary>
    public bool ReaderGone()
    {
        var fd = new NativeMethods.PollFd { Fd = StdoutFd };
        return NativeMethods.poll(ref fd, 1, 0) > 0 && (fd.Revents & (PollErr | PollHup)) != 0;
    }

    /// <summary>
    /// Completes when the reader has gone. A background thread waits in poll() for it (no timer: the kernel wakes it),
    /// started on first use; it ends with the process.
    /// </summary>
    public Task ReaderGoneAsync()
    {
        if (Interlocked.Exchange(ref _watching, 1) == 0)
        {
            var thread = new Thread(() =>
            {
                var fd = new NativeMethods.PollFd { Fd = StdoutFd };
                while (true)
                {
                    fd.Revents = 0;
                    if (NativeMethods.poll(ref fd, 1, -1) > 0 && (fd.Revents & (PollErr | PollHup)) != 0)
                    {
                        _gone.TrySetResult();
                        return;
                    }
                }
            })
            { IsBackground = true, Name = "stdout reader watch" };
            thread.Start();
        }

        return _gone.Task;
    }

    /// <summary>
    /// Waits until the reader has taken everything written so far (true), or has gone leaving some of it unread
    /// (false). The kernel has no notification for "the pipe is empty", so this looks again after a short, growing
    /// pause (from a yield up to 20 ms); a reader that keeps up is seen at once.
    /// </summary>
    public async Task<bool> WaitUntilReadAsync(CancellationToken cancellationToken)
    {
        var step = TimeSpan.Zero;
        while (true)
        {
            var unread = Unread();
            if (unread <= 0)
            {
                return true;
            }

            if (ReaderGone())
            {
                // The reader may have taken the last bytes as it went: look once more.
                return Unread() <= 0;
            }

            if (step == TimeSpan.Zero)
            {
                await Task.Yield();
                step = TimeSpan.FromMilliseconds(1);
                continue;
            }

            try
            {
                await Task.Delay(step, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Unread() <= 0)
            {
                // Stopped (the reader went, or Ctrl-C) after the reader took the line: it was delivered.
                return true;
            }
            step = step * 2 > MaxWaitStep ? MaxWaitStep : step * 2;
        }
    }

    private static class NativeMethods
    {
        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

#pragma warning disable SYSLIB1054, CA5392 // Blittable signatures (no marshalling code to generate); libc is the system's own.
        [DllImport("libc", SetLastError = true)]
        internal static extern int poll(ref PollFd fds, nuint count, int timeout);

        [DllImport("libc", SetLastError = true)]
        internal static extern int ioctl(int fd, nuint request, out int value);
#pragma warning restore SYSLIB1054, CA5392
    }
}
