using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Identity;

/// <summary>File access with failures worded as Config errors that name the file.</summary>
internal static class IdentityFiles
{
    /// <exception cref="FabricInvokeException">Config: the file cannot be read.</exception>
    public static string ReadText(string file, string what)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Failures.Config(file, $"cannot read {what} ({Describe(e)})", e);
        }
    }

    /// <summary>Regular, non-hidden files of a folder in ordinal name order (Go's os.ReadDir order), or null when the folder does not exist.</summary>
    /// <exception cref="FabricInvokeException">Config: the folder exists but cannot be listed.</exception>
    public static IReadOnlyList<string>? ListFiles(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return null;
        }

        try
        {
            var files = Directory.GetFiles(folder)
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .ToList();
            files.Sort(StringComparer.Ordinal);
            return files;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failures.Config(folder, $"cannot list folder ({Describe(e)})", e);
        }
    }

    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
