namespace FabricInvoke.DevNet.Storage;

/// <summary>
/// Whole-file writes that neither a reader nor a crash ever sees half done: the bytes go to a uniquely named
/// temporary file in the target's folder, which then replaces the target by rename (atomic on one file system).
/// </summary>
internal static class AtomicFile
{
    /// <param name="path">The file to create or replace.</param>
    /// <param name="content">Its new content.</param>
    /// <param name="privateFile">Create it readable by its owner only (0600), as a private key must be.</param>
    /// <param name="durable">fsync the content before the rename, so the new file survives a machine crash.</param>
    /// <exception cref="IOException">The folder cannot be created or written.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static void Write(string path, ReadOnlySpan<byte> content, bool privateFile = false, bool durable = false)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);

        // A unique name: two writers of one file (never two DevNet owners, but a user's editor) cannot collide.
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (privateFile && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: durable);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Deletes <paramref name="path"/> if it exists; a failure is ignored (the caller is cleaning up).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Cleanup only: a leftover temporary or stale file is harmless and is replaced or ignored later.
        }
    }
}
