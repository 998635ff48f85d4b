using System.Text;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Identity;

/// <summary>
/// The one way Core reads a file a user named (MSP certificates and keys, TLS roots, TLS client certificates and
/// keys): only regular files, at most <see cref="FileLimit.MaxBytes"/> bytes, and every refusal a Config failure
/// that names the file and says what is wrong with it, in one line and without reading more than the limit.
/// </summary>
/// <remarks>
/// <para>
/// A device (<c>/dev/zero</c>, <c>/dev/urandom</c>), a FIFO or a socket must be refused <em>before</em> it is opened:
/// opening a FIFO blocks until a writer appears, and some devices (serial lines) block or act on open. .NET has no
/// public file-type API on Unix (attributes say "Normal" for a device, and the mode bits it exposes are the
/// permission bits only), and P/Invoking <c>stat</c> would differ per platform and per libc. What every platform does
/// report is the size: <c>st_size</c> is 0 for character and block devices, FIFOs and sockets on Linux and macOS.
/// Windows keeps no FIFOs or device nodes in directories; its device names (NUL, COM1, <c>\\.\pipe\…</c>) report no
/// size either (not verified on Windows here; the checks after opening hold there too). An empty file is useless for
/// every kind read here, so "size 0" is refused as "empty, or not a regular file" without opening it. Symbolic links
/// are followed first, because <see cref="FileInfo.Length"/> of a link is the length of the link itself.
/// </para>
/// <para>
/// After opening, the stream is checked again (not seekable: a pipe or socket put there in the meantime; size 0: a
/// device), and at most limit + 1 bytes are read, so a file that grows while it is read, or reports a size it does
/// not have (procfs, sysfs), is still bounded. What remains is a FIFO swapped in between the check and the open by
/// someone who controls the path; such a person can hand over any file anyway.
/// </para>
/// </remarks>
internal static class BoundedFile
{
    private const string NotRegular = "empty, or not a regular file: a FIFO, socket or device";
    private const string LinkLoop = "too many levels of symbolic links: a symbolic link loop";

    /// <summary>The HResult of an IOException that carries no more specific code.</summary>
    private const int CorEIo = unchecked((int)0x80131620);

    /// <summary>Reads <paramref name="file"/> as text (UTF-8, or the encoding its byte order mark names, as <see cref="File.ReadAllText(string)"/> does).</summary>
    /// <param name="file">The path as the user gave it; it is named in every failure.</param>
    /// <param name="what">What the file is, for messages: "signing certificate", "orderer TLS root certificate file".</param>
    /// <param name="limit">The most the file may hold.</param>
    /// <exception cref="FabricInvokeException">
    /// Config, naming <paramref name="file"/>: missing, a directory, empty or not a regular file, larger than the
    /// limit, a symbolic link loop, not readable, or an I/O error.
    /// </exception>
    public static string ReadText(string file, string what, FileLimit limit)
    {
        var bytes = ReadBytes(file, what, limit);
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static byte[] ReadBytes(string file, string what, FileLimit limit)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(what);
        ArgumentNullException.ThrowIfNull(limit);
        try
        {
            CheckBeforeOpening(file, what, limit);
            using var stream = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
            });
            if (!stream.CanSeek)
            {
                throw Refuse(file, what, NotRegular);
            }

            var length = stream.Length;
            if (length == 0)
            {
                throw Refuse(file, what, NotRegular);
            }

            if (length > limit.MaxBytes)
            {
                throw Refuse(file, what, TooLarge(length, limit));
            }

            return ReadAtMost(stream, (int)length, limit.MaxBytes)
                ?? throw Refuse(file, what, $"more than the {limit.Describe()} {limit.Kind} may hold");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Refuse(file, what, Describe(e), e);
        }
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to its end, starting with a buffer for <paramref name="expectedLength"/> bytes;
    /// null as soon as more than <paramref name="limit"/> bytes turn up (so at most limit + 1 bytes are ever held).
    /// </summary>
    internal static byte[]? ReadAtMost(Stream stream, int expectedLength, int limit)
    {
        // One byte more than expected, so that reaching the end of the file is seen without a second buffer.
        var buffer = new byte[Math.Min(Math.Max(expectedLength, 0), limit) + 1];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length > limit)
                {
                    return null;
                }

                // The file grew since its size was taken: keep reading, but never past limit + 1.
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, (long)limit + 1));
            }

            var read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0)
            {
                return buffer[..total];
            }

            total += read;
        }
    }

    /// <summary>The checks that need no open file descriptor, so that nothing that could block is ever opened.</summary>
    private static void CheckBeforeOpening(string file, string what, FileLimit limit)
    {
        if (Directory.Exists(file))
        {
            throw Refuse(file, what, "is a directory");
        }

        var info = new FileInfo(file);
        if (!info.Exists)
        {
            // Nothing there (or a path through a loop, or a folder we may not enter): opening fails at once and says
            // which, and cannot block because there is no FIFO or device to open.
            return;
        }

        if (info.LinkTarget is not null)
        {
            FileSystemInfo? target;
            try
            {
                target = info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException e) when (e.GetType() == typeof(IOException) && (e.HResult == CorEIo || IsSymbolicLinkLoop(e)))
            {
                // .NET words a chain of links that never ends as a plain IOException of its own.
                throw Refuse(file, what, LinkLoop, e);
            }

            if (target is not null)
            {
                if (!target.Exists)
                {
                    throw Refuse(file, what, $"no such file: the symbolic link points to {target.FullName}, which does not exist");
                }

                info = target as FileInfo ?? new FileInfo(target.FullName);
            }
        }

        if (info.Length == 0)
        {
            throw Refuse(file, what, NotRegular);
        }

        if (info.Length > limit.MaxBytes)
        {
            throw Refuse(file, what, TooLarge(info.Length, limit));
        }
    }

    private static string TooLarge(long length, FileLimit limit) =>
        $"{length} bytes, more than the {limit.Describe()} {limit.Kind} may hold";

    private static FabricInvokeException Refuse(string file, string what, string problem, Exception? inner = null) =>
        Failures.Config(file, $"cannot read {what} ({problem})", inner);

    /// <summary>A file-system failure in the user's words (no such file, permission denied, a symbolic link loop…).</summary>
    internal static string Describe(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        PathTooLongException => "the path is too long",
        IOException io when IsSymbolicLinkLoop(io) => LinkLoop,
        ArgumentException => "not a valid path",
        _ => e.Message,
    };

    /// <summary>
    /// ELOOP (a loop somewhere in the path, met by open), which .NET reports as a plain IOException whose HResult is
    /// the errno: 40 on Linux, 62 on macOS and the BSDs; on Windows ERROR_CANT_RESOLVE_FILENAME.
    /// </summary>
    private static bool IsSymbolicLinkLoop(IOException e)
    {
        const int WindowsCantResolveFilename = unchecked((int)0x80070781);
        return e.HResult switch
        {
            40 => OperatingSystem.IsLinux(),
            62 => OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() || OperatingSystem.IsIOS(),
            WindowsCantResolveFilename => OperatingSystem.IsWindows(),
            _ => false,
        };
    }
}
