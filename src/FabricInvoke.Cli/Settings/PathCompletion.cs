using System.CommandLine;
using System.CommandLine.Completions;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// Shell completion for a file or folder value: the entries of the folder the word names so far whose names start with
/// what follows its last '/', folders with a trailing '/'; hidden ones only when the word asks for them.
/// </summary>
internal static class PathCompletion
{
    /// <summary>At most this many suggestions: a huge folder must not stall the shell.</summary>
    private const int Limit = 500;

    /// <summary>
    /// Completes <paramref name="option"/>'s value with paths. Its help shows a fixed value name (FILE unless it has
    /// one, such as DIR): without one, help would list the completions, i.e. the current folder's files.
    /// </summary>
    public static void AddTo(Option option)
    {
        option.HelpName ??= "FILE";
        option.CompletionSources.Add(context => Complete(context.WordToComplete));
    }

    public static IEnumerable<CompletionItem> Complete(string word)
    {
        var slash = word.LastIndexOf('/');
        var folder = slash < 0 ? string.Empty : word[..(slash + 1)];
        var prefix = word[(slash + 1)..];
        List<CompletionItem> items = [];
        try
        {
            var search = new DirectoryInfo(folder.Length == 0 ? "." : folder);
            foreach (var entry in search.EnumerateFileSystemInfos())
            {
                if (!entry.Name.StartsWith(prefix, StringComparison.Ordinal) || (entry.Name.StartsWith('.') && !prefix.StartsWith('.')))
                {
                    continue;
                }

                var path = folder + entry.Name + (entry is DirectoryInfo ? "/" : string.Empty);
                items.Add(new CompletionItem(path, kind: entry is DirectoryInfo ? "Folder" : "File"));
                if (items.Count == Limit)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // A folder that is missing or unreadable offers nothing; completion never fails the shell.
        }

        return items.OrderBy(i => i.Label, StringComparer.Ordinal);
    }
}
