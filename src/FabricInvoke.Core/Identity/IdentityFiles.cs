using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Identity;

/// <summary>Listing MSP folders, with failures worded as Config errors that name the folder. Files are read by <see cref="BoundedFile"/>.</summary>
internal static class IdentityFiles
{
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
            throw Failures.Config(folder, $"cannot list folder ({BoundedFile.Describe(e)})", e);
        }
    }
}
