namespace FabricInvoke.Robustness.Tests.Infrastructure;

/// <summary>The cryptogen identities copied next to the tests (see FabricInvoke.Core.Tests/Fixtures).</summary>
public static class Fixtures
{
    public const string MspId = "Org1MSP";

    public static string Identities { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "identities");

    public static string Org1Msp { get; } = Path.Combine(Identities, "org1-user1", "msp");

    public static string Org1TlsCa { get; } = Path.Combine(Identities, "tlsca", "org1.pem");

    public static string Org1SignCertPem { get; } = File.ReadAllText(Directory.GetFiles(Path.Combine(Org1Msp, "signcerts")).Single());

    public static string Org1KeyPem { get; } = File.ReadAllText(Path.Combine(Org1Msp, "keystore", "priv_sk"));

    /// <summary>The base64 lines of the signing key: none of them may ever show up in output.</summary>
    public static IReadOnlyList<string> Org1KeyBodyLines { get; } = Org1KeyPem
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(l => !l.StartsWith("-----", StringComparison.Ordinal))
        .ToList();

    /// <summary>Sets a Unix file mode; Windows has none, and the key-file warning does not apply there.</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}

/// <summary>
/// A private copy of the org1 user MSP in a temp folder. Modes are set explicitly (0700 folders, 0600 files unless
/// told otherwise): copying keeps none, and the repository's fixtures are read-only.
/// </summary>
public sealed class TempMsp : IDisposable
{
    private readonly string _root;

    public TempMsp(UnixFileMode keyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        _root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fabinvoke-robustness-" + Guid.NewGuid().ToString("N"));
        Path = System.IO.Path.Combine(_root, "msp");
        Copy(Fixtures.Org1Msp, Path);
        KeyFile = System.IO.Path.Combine(Path, "keystore", "priv_sk");
        SignCertFile = Directory.GetFiles(System.IO.Path.Combine(Path, "signcerts")).Single();
        SetKeyMode(keyMode);
    }

    /// <summary>The MSP folder (CORE_PEER_MSPCONFIGPATH).</summary>
    public string Path { get; }

    public string KeyFile { get; }

    public string SignCertFile { get; }

    public void SetKeyMode(UnixFileMode mode) => Fixtures.SetMode(KeyFile, mode);

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

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        Fixtures.SetMode(to, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var file in Directory.GetFiles(from))
        {
            var target = System.IO.Path.Combine(to, System.IO.Path.GetFileName(file));
            File.WriteAllBytes(target, File.ReadAllBytes(file));
            Fixtures.SetMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            Copy(dir, System.IO.Path.Combine(to, System.IO.Path.GetFileName(dir)));
        }
    }
}
