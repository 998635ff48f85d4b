namespace FabricInvoke.DevNet.Storage;

/// <summary>
/// Creates a folder whole or not at all: it is built under a temporary sibling name and renamed into place, so a
/// process killed half-way leaves only a temporary folder (removed by the next build), never a partial one.
/// </summary>
internal static class AtomicDirectory
{
    /// <summary>Builds <paramref name="path"/> with <paramref name="build"/>, which receives the temporary folder to fill.</summary>
    /// <exception cref="IOException"><paramref name="path"/> already exists, or the file system refused a write.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static void Create(string path, Action<string> build)
    {
        var parent = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        Directory.CreateDirectory(parent);

        // Leftovers of a build that was killed half-way. Only the folder's owner (see DevNetFolderLock) builds,
        // so nobody else can be using them.
        foreach (var stale in Directory.EnumerateDirectories(parent, $".{name}.*.building"))
        {
            Directory.Delete(stale, recursive: true);
        }

        var temporary = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.building");
        Directory.CreateDirectory(temporary);
        try
        {
            build(temporary);
            Directory.Move(temporary, path);
        }
        catch
        {
            try
            {
                Directory.Delete(temporary, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed by the next build of this folder.
            }

            throw;
        }
    }
}
