namespace FabricInvoke.Core.Identity;

/// <summary>
/// Spots private key files that users other than the owner can open. A key readable by group or others lets any of
/// them sign as this identity; Fabric's tools write keys 0600, but copies (zip, scp, a container volume) often lose that.
/// </summary>
internal static class KeyFileAccess
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode GroupOrOthersRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// A one-line warning naming <paramref name="keyFile"/> when its mode has any group/others bit; null when the mode is
    /// fine, the file cannot be inspected, it is not a regular file with content, or on Windows (which has no such mode
    /// bits).
    /// </summary>
    public static string? Warning(string? keyFile)
    {
        if (keyFile is null || OperatingSystem.IsWindows())
        {
            return null;
        }

        UnixFileMode mode;
        try
        {
            // A TLS key file is looked at before it is read: a device or a directory given as one is refused when it
            // is read, and "chmod 600 /dev/zero" is advice nobody should take.
            if (!IsRegularWithContent(keyFile))
            {
                return null;
            }

            mode = File.GetUnixFileMode(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Gone, a link loop, no access: reading the key says why (or it was just read and this is a race with the
            // file system); not worth failing or warning for.
            return null;
        }

        if ((mode & GroupOrOthers) == 0)
        {
            return null;
        }

        var octal = Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
        var access = (mode & GroupOrOthersRead) != 0 ? "readable" : "accessible";
        return $"private key file {keyFile} is {access} by group/others (mode {octal}); chmod 600 it";
    }

    /// <summary>What <see cref="BoundedFile"/> would open: links followed, not a directory, not size 0 (devices, FIFOs).</summary>
    private static bool IsRegularWithContent(string file)
    {
        if (Directory.Exists(file))
        {
            return false;
        }

        var info = new FileInfo(file);
        var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true);
        return target is { Exists: true } && (target as FileInfo ?? new FileInfo(target.FullName)).Length > 0;
    }
}
