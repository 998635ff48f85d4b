using System.Diagnostics;

namespace FabricInvoke.Testing;

/// <summary>
/// Paths where a certificate or key file is expected but something else is: devices that never end, a FIFO nobody
/// writes to, a directory, a symbolic link loop, an 8 GiB sparse file, a file one byte over its limit, a missing or
/// unreadable file. Each kind comes with the words the refusal must use. The files live in a temporary folder that
/// <see cref="Dispose"/> removes.
/// </summary>
public sealed class HostileFiles : IDisposable
{
    /// <summary>
    /// True when this process may read files whose mode forbids it (root, or CAP_DAC_OVERRIDE): an "unreadable" file
    /// cannot be made then, and that kind is left out of <see cref="Kinds"/> rather than passing vacuously.
    /// </summary>
    public static bool ReadsAnything { get; } = ProbeReadsAnything();

    /// <summary>The kinds every platform can make, plus the Unix-only ones where they can be made (declared after
    /// <see cref="ReadsAnything"/>, which it reads: static initialisers run in order).</summary>
    public static IReadOnlyList<string> Kinds { get; } = AvailableKinds();

    private readonly string _root = Directory.CreateTempSubdirectory("fabinvoke-hostile-").FullName;

    /// <summary>The folder holding the made files.</summary>
    public string Root => _root;

    /// <summary>
    /// Kinds that exist as an entry of a folder, so they can stand in a folder the reader lists (an MSP folder's
    /// signcerts/, keystore/, cacerts/): not a missing file, and not a directory (listing passes over those).
    /// </summary>
    public static IReadOnlyList<string> ListedKinds { get; } =
        Kinds.Where(k => k is not ("missing" or "in a missing folder" or "directory")).ToList();

    /// <summary>Makes a hostile file of <paramref name="kind"/> (one of <see cref="Kinds"/>) and returns its path.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="limitBytes">The size limit of the reader under test, for "over the limit".</param>
    /// <param name="at">Where to make it (replacing what is there); a new path in <see cref="Root"/> when null. A device
    /// is then a symbolic link to it.</param>
    public string Make(string kind, int limitBytes, string? at = null)
    {
        if (at is not null)
        {
            File.Delete(at);
        }

        var path = at ?? Path.Combine(_root, $"{kind.Replace('/', '_').Replace(' ', '_')}-{Guid.NewGuid():N}.pem");

        // The other end of a link, kept in Root so that it is never listed with the file itself.
        var partner = Path.Combine(_root, $"partner-{Guid.NewGuid():N}");
        switch (kind)
        {
            case "/dev/zero" or "/dev/urandom" or "/dev/null" when at is null:
                return kind;
            case "/dev/zero" or "/dev/urandom" or "/dev/null":
                File.CreateSymbolicLink(path, kind);
                return path;
            case "fifo":
                MakeFifo(path);
                return path;
            case "directory":
                Directory.CreateDirectory(path);
                return path;
            case "symlink loop":
                File.CreateSymbolicLink(path, partner);
                File.CreateSymbolicLink(partner, path);
                return path;
            case "symlink to /dev/zero":
                File.CreateSymbolicLink(path, "/dev/zero");
                return path;
            case "symlink to a fifo":
                MakeFifo(partner);
                File.CreateSymbolicLink(path, partner);
                return path;
            case "dangling symlink":
                File.CreateSymbolicLink(path, partner);
                return path;
            case "sparse 8 GiB":
                using (var sparse = File.Create(path))
                {
                    // Sparse on ext4, xfs, tmpfs and APFS: it costs no disk. NTFS would allocate it, so less there.
                    sparse.SetLength(OperatingSystem.IsWindows() ? 64L << 20 : 8L << 30);
                }

                return path;
            case "over the limit":
                using (var over = File.Create(path))
                {
                    over.SetLength(limitBytes + 1L);
                }

                return path;
            case "empty":
                File.WriteAllBytes(path, []);
                return path;
            case "missing":
                return path;
            case "in a missing folder":
                return Path.Combine(_root, "no-such-folder-" + Guid.NewGuid().ToString("N"), "file.pem");
            case "unreadable" when !OperatingSystem.IsWindows():
                File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
                File.SetUnixFileMode(path, UnixFileMode.None);
                return path;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a hostile file kind");
        }
    }

    /// <summary>What the one error line must say (besides the file name) for <paramref name="kind"/>.</summary>
    public static string ExpectedProblem(string kind) => kind switch
    {
        "/dev/zero" or "/dev/urandom" or "/dev/null" or "fifo" or "symlink to /dev/zero" or "symlink to a fifo" or "empty"
            => "empty, or not a regular file: a FIFO, socket or device",
        "directory" => "is a directory",
        "symlink loop" => "symbolic link loop",
        "dangling symlink" => "no such file",
        "sparse 8 GiB" or "over the limit" => "more than the",
        "missing" => "no such file",
        "in a missing folder" => "no such directory",
        "unreadable" => "permission denied",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a hostile file kind"),
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    private static void MakeFifo(string path)
    {
        // .NET has no mkfifo; the tool is on every Unix.
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("mkfifo did not start");
        if (!mkfifo.WaitForExit(TimeSpan.FromSeconds(30)) || mkfifo.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo {path} failed");
        }
    }

    private static List<string> AvailableKinds()
    {
        List<string> kinds = ["directory", "sparse 8 GiB", "over the limit", "empty", "missing", "in a missing folder"];
        if (!OperatingSystem.IsWindows())
        {
            kinds.AddRange(["/dev/zero", "/dev/urandom", "/dev/null", "fifo", "symlink loop", "symlink to /dev/zero", "symlink to a fifo", "dangling symlink"]);
            if (!ReadsAnything)
            {
                kinds.Add("unreadable");
            }
        }

        return kinds;
    }

    private static bool ProbeReadsAnything()
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        var probe = Path.Combine(Path.GetTempPath(), "fabinvoke-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllText(probe, "x");
            File.SetUnixFileMode(probe, UnixFileMode.None);
            using (File.OpenRead(probe))
            {
                return true;
            }
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            File.Delete(probe);
        }
    }
}
