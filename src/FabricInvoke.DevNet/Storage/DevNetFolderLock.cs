using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FabricInvoke.DevNet.Storage;

/// <summary>
/// Ownership of one DevNet folder: an exclusive OS lock on <c>DIR/devnet.lock</c> (flock on Unix, a share-none
/// handle on Windows) held for the owner's whole life, plus <c>DIR/devnet.owner</c> naming the owner. The OS drops the
/// lock when the process ends in any way (SIGKILL included), so a crashed owner never blocks the folder; the next
/// owner overwrites the stale owner record. The lock file itself is never deleted (deleting a lock file lets two
/// processes lock two different files of the same name).
/// </summary>
internal sealed class DevNetFolderLock : IDisposable
{
    public const string LockFileName = "devnet.lock";
    public const string OwnerFileName = "devnet.owner";

    private const int MaxOwnerRecordBytes = 4096;

    private readonly FileStream _lock;
    private bool _disposed;

    private DevNetFolderLock(string directory, FileStream handle, DevNetOwner owner)
    {
        Directory = directory;
        _lock = handle;
        Owner = owner;
    }

    /// <summary>The owned folder.</summary>
    public string Directory { get; }

    public string LockFile => Path.Combine(Directory, LockFileName);

    /// <summary>This process, as recorded for others.</summary>
    public DevNetOwner Owner { get; }

    /// <summary>Takes the folder without waiting: null when another process (or another network in this one) holds it.</summary>
    /// <exception cref="IOException">The folder cannot be created or locked for a reason other than another owner, or file locking is disabled.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static DevNetFolderLock? TryAcquire(string directory, string description, bool attachable)
    {
        if (FileLockingDisabled())
        {
            throw new IOException(
                "file locking is disabled in this process (DOTNET_SYSTEM_IO_DISABLEFILELOCKING), so DevNet cannot make sure one process owns its folder");
        }

        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, LockFileName);
        FileStream handle;
        try
        {
            // FileShare.None is what makes .NET take an exclusive lock (flock LOCK_EX | LOCK_NB on Unix).
            handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException e) when (IsHeldByAnother(e))
        {
            return null;
        }

        try
        {
            var owner = new DevNetOwner(Environment.ProcessId, description, attachable, DateTimeOffset.UtcNow);

            // The pid inside the lock file is for people (`cat devnet.lock`); other processes cannot open a locked
            // file, so they read devnet.owner, replaced atomically.
            handle.SetLength(0);
            handle.Write(Encoding.ASCII.GetBytes(owner.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            handle.Flush();
            AtomicFile.Write(Path.Combine(directory, OwnerFileName), OwnerRecord(owner));
            return new DevNetFolderLock(directory, handle, owner);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The recorded owner of <paramref name="directory"/>, or null when there is no readable record.</summary>
    public static DevNetOwner? ReadOwner(string directory)
    {
        try
        {
            using var json = JsonDocument.Parse(BoundedFileReader.Read(Path.Combine(directory, OwnerFileName), MaxOwnerRecordBytes));
            var root = json.RootElement;
            return new DevNetOwner(
                root.GetProperty("pid").GetInt32(),
                root.GetProperty("owner").GetString() ?? "",
                root.GetProperty("attachable").GetBoolean(),
                root.GetProperty("since").GetDateTimeOffset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or JsonException
                                      or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>True when a process with this id is running (on this machine and in this pid namespace).</summary>
    public static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Removes the owner record and releases the lock.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (ReadOwner(Directory) is { } recorded && recorded.ProcessId == Owner.ProcessId && recorded.Since == Owner.Since)
        {
            AtomicFile.TryDelete(Path.Combine(Directory, OwnerFileName));
        }

        _lock.Dispose();
    }

    private static byte[] OwnerRecord(DevNetOwner owner)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteNumber("pid", owner.ProcessId);
            json.WriteString("owner", owner.Description);
            json.WriteBoolean("attachable", owner.Attachable);
            json.WriteString("since", owner.Since);
            json.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>EWOULDBLOCK from flock (Linux 11, macOS 35), or a Windows sharing/lock violation.</summary>
    private static bool IsHeldByAnother(IOException e) =>
        e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    private static bool FileLockingDisabled()
    {
        if (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        {
            return true;
        }

        var variable = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING");
        return variable is not null && (variable == "1" || variable.Equals("true", StringComparison.OrdinalIgnoreCase));
    }
}
