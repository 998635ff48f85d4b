using FabricInvoke.Core.Errors;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// <c>events --output-file</c>: the file lines are appended to, exactly once across restarts. Each line is written and
/// flushed to disk before the checkpoint records the file's new length; a restart finds the length the checkpoint
/// recorded and cuts anything beyond it (a line written by a run that was killed before recording it), then resumes
/// from the checkpoint, which writes that line again. A file shorter than recorded was changed by someone else: refused.
/// </summary>
internal sealed class EventOutputFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;
    private readonly long _found;

    private EventOutputFile(FileStream stream, string path, long length)
    {
        _stream = stream;
        _path = path;
        _found = stream.Length;
        Length = length;
    }

    /// <summary>The file's length after the last line delivered (what a checkpoint records).</summary>
    public long Length { get; private set; }

    /// <summary>Opens (creating if needed) the file; nothing is changed yet.</summary>
    /// <param name="recorded">The length the checkpoint recorded, or null when there is no checkpoint yet (the file's current length).</param>
    /// <exception cref="FabricInvokeException">Config, naming the file: a directory, a missing folder, not writable, shorter than recorded.</exception>
    public static EventOutputFile Open(string path, long? recorded)
    {
        if (Directory.Exists(path))
        {
            throw Failures.Config(path, "the --output-file is a directory, not a file");
        }

        var folder = Path.GetDirectoryName(path);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw Failures.Config(path, $"the --output-file's folder {folder} does not exist");
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Config(path, $"cannot open the --output-file ({e.Message})", e);
        }

        if (recorded is { } length && stream.Length < length)
        {
            var found = stream.Length;
            stream.Dispose();
            throw Failures.Config(path, $"the --output-file has {found} bytes but its checkpoint recorded {length}: it was cut or replaced since; use a new --checkpoint and --output-file");
        }

        return new EventOutputFile(stream, path, recorded ?? stream.Length);
    }

    /// <summary>Cuts what lies beyond the recorded length (a torn or unrecorded tail), saying so; then appends from there.</summary>
    /// <exception cref="FabricInvokeException">Config: the file cannot be cut.</exception>
    public void CutTornTail(FabricLog log)
    {
        try
        {
            if (_found > Length)
            {
                _stream.SetLength(Length);
                _stream.Flush(flushToDisk: true);
                log.Warning("events", $"cut {_found - Length} bytes beyond the checkpoint's recorded length {Length} from {_path} (written but not recorded when the last run stopped; they are written again)");
            }

            _stream.Seek(Length, SeekOrigin.Begin);
        }
        catch (IOException e)
        {
            throw Failures.Config(_path, $"cannot cut the --output-file to its recorded length ({e.Message})", e);
        }
    }

    /// <summary>Appends one line and flushes it to disk; null when done, else why it could not be (the file is then left as it was recorded).</summary>
    public string? TryAppend(string line)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
        try
        {
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: true);
            Length += bytes.Length;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                _stream.SetLength(Length);
            }
            catch (IOException)
            {
                // A restart cuts it.
            }

            return $"cannot write the --output-file {_path} ({e.Message})";
        }
    }

    public void Dispose() => _stream.Dispose();
}
