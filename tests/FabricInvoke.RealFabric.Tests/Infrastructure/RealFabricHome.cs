namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>
/// Where the real-Fabric kit lives: <c>../shared/fabric</c> (network.sh, the Go release binaries, the <c>basic</c>
/// chaincode) beside the clone, i.e. relative to the repository root. <c>FABINVOKE_REALFABRIC_HOME</c> names another
/// folder. A git worktree nested deeper (say /work/wt/branch) finds it in an ancestor's <c>shared/fabric</c>.
/// </summary>
public static class RealFabricHome
{
    public const string HomeVariable = "FABINVOKE_REALFABRIC_HOME";

    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The folder holding network.sh, or null when there is none.</summary>
    public static string? Folder => Found.Value;

    /// <summary>network.sh's path; fails the test when the kit is missing (the attributes skip before, outside CI).</summary>
    public static string NetworkScript
    {
        get
        {
            Assert.True(Folder is not null, MissingReason);
            return Path.Combine(Folder, "network.sh");
        }
    }

    /// <summary>True in CI (<c>CI=true</c>): a missing kit or a network that cannot start fails rather than skips.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The repository root (the folder with FabricInvoke.sln above the test binaries).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string MissingReason =>
        $"no real-Fabric kit: neither {HomeVariable} nor ../shared/fabric/network.sh beside the clone ({RepositoryRoot}); "
        + "the tier needs Fabric's network.sh, its release binaries, node and npm";

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home)
        {
            return File.Exists(Path.Combine(home, "network.sh")) ? Path.GetFullPath(home) : null;
        }

        for (var dir = Directory.GetParent(RepositoryRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fabric");
            if (File.Exists(Path.Combine(candidate, "network.sh")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FabricInvoke.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no FabricInvoke.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>
/// A test on a real Fabric network: skipped, with the reason, where the kit (<see cref="RealFabricHome"/>) is missing —
/// except in CI, where the test runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RealFabricFactAttribute : FactAttribute
{
    public RealFabricFactAttribute()
    {
        if (RealFabricHome.Folder is null && !RealFabricHome.InCi)
        {
            Skip = RealFabricHome.MissingReason;
        }
    }
}

/// <summary>The theory form of <see cref="RealFabricFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RealFabricTheoryAttribute : TheoryAttribute
{
    public RealFabricTheoryAttribute()
    {
        if (RealFabricHome.Folder is null && !RealFabricHome.InCi)
        {
            Skip = RealFabricHome.MissingReason;
        }
    }
}
