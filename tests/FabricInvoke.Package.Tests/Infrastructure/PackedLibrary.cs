using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace FabricInvoke.Package.Tests;

/// <summary>The packed library feed: a folder holding FabricInvoke.Core and FabricInvoke.Protos, both at <paramref name="Version"/>.</summary>
public sealed record LibraryFeed(string Folder, string Version);

/// <summary>What a finished process printed.</summary>
public sealed record ProcessOutcome(int ExitCode, string Stdout, string Stderr)
{
    public string Output => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

    public override string ToString() => Output;
}

/// <summary>
/// The library as a NuGet user gets it, built once per test process and shared by every test (this file is compiled
/// into tests/FabricInvoke.Package.Tests, against DevNet, and linked into tests/FabricInvoke.RealFabric.Tests):
/// <list type="bullet">
/// <item>the feed: the folder <c>FABINVOKE_LIBRARY_FEED</c> names (.ci/run packs it once per CI run with
/// eng/pack-library.sh), else <c>eng/pack-library.sh</c> run here, with a version no cache can hold and build output in
/// a temporary folder (the repository's bin/ and obj/ are not touched);</item>
/// <item>the consumer: <c>tests/FabricInvoke.Package.Tests/Consumer</c> copied outside the repository and built with a
/// nuget.config naming only the feed and nuget.org;</item>
/// <item>the sample: <c>samples/FabricInvoke.Samples.AssetService</c> built with <c>-p:FabricInvokeClientFeed</c>, so it
/// takes the package instead of Core's source, into a temporary artifacts folder.</item>
/// </list>
/// Third-party packages come from the machine's package cache as a fallback folder (no download when the solution
/// was restored); the package cache the builds fill is the run's own. Builds run one at a time (2 cores).
/// </summary>
public static class PackedLibrary
{
    public const string FeedVariable = "FABINVOKE_LIBRARY_FEED";

    /// <summary>A bound on a pack or build (a hang guard, not a speed target: packing on a busy 2-core machine is slow).</summary>
    public static readonly TimeSpan BuildBound = TimeSpan.FromMinutes(15);

    /// <summary>A bound on one run of the consumer.</summary>
    public static readonly TimeSpan RunBound = TimeSpan.FromMinutes(3);

    private static readonly SemaphoreSlim OneBuildAtATime = new(1, 1);
    private static readonly Lazy<string> WorkFolder = new(CreateWorkFolder);
    private static readonly Lazy<Task<LibraryFeed>> Feed = new(FindOrPackAsync);
    private static readonly Lazy<Task<string>> Consumer = new(BuildConsumerAsync);
    private static readonly Lazy<Task<string>> Sample = new(BuildSampleAsync);

    /// <summary>The repository root (the folder with FabricInvoke.sln above the test binaries).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The run's temporary folder (removed by <see cref="DeleteWork"/>).</summary>
    public static string Work => WorkFolder.Value;

    /// <summary>The feed (packed on first use when <c>FABINVOKE_LIBRARY_FEED</c> is not set).</summary>
    public static Task<LibraryFeed> FeedAsync() => Feed.Value;

    /// <summary>The consumer's built Consumer.dll (run it with <c>dotnet</c>).</summary>
    public static Task<string> ConsumerAsync() => Consumer.Value;

    /// <summary>The sample service's built dll, compiled against the packed FabricInvoke.Core (checked in its deps.json).</summary>
    public static Task<string> SampleAsync() => Sample.Value;

    private static string CreateWorkFolder() => Directory.CreateTempSubdirectory("fabinvoke-package-").FullName;

    /// <summary>
    /// Removes the run's temporary folder (feed, builds, package cache). The one test class of a process that uses
    /// this calls it when it ends (the test host is stopped without running exit handlers).
    /// </summary>
    public static void DeleteWork()
    {
        if (!WorkFolder.IsValueCreated)
        {
            return;
        }

        try
        {
            Directory.Delete(WorkFolder.Value, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    private static async Task<LibraryFeed> FindOrPackAsync()
    {
        if (Environment.GetEnvironmentVariable(FeedVariable) is { Length: > 0 } given)
        {
            return InFolder(Path.GetFullPath(given));
        }

        var feed = Path.Combine(Work, "feed");
        // A version no cache can already hold, so the consumer can only get the package packed here.
        var version = "0.0.0-packagetest." + Guid.NewGuid().ToString("N")[..12];
        var pack = await BuildAsync("bash", [Path.Combine(RepositoryRoot, "eng", "pack-library.sh"), feed, $"-p:Version={version}",
            "--artifacts-path", Path.Combine(Work, "artifacts"), "--disable-build-servers"], RepositoryRoot);
        Assert.True(pack.ExitCode == 0, $"eng/pack-library.sh failed:\n{pack}");
        return InFolder(feed);
    }

    /// <summary>The feed in <paramref name="folder"/>: exactly one FabricInvoke.Core package, and FabricInvoke.Protos at its version.</summary>
    private static LibraryFeed InFolder(string folder)
    {
        const string Prefix = "FabricInvoke.Core.";
        var cores = Directory.Exists(folder)
            ? Directory.GetFiles(folder, Prefix + "*.nupkg").Select(Path.GetFileName).ToList()
            : [];
        Assert.True(cores.Count == 1, $"{FeedVariable} or the pack: expected one {Prefix}<version>.nupkg in {folder}, found {cores.Count} ({string.Join(", ", cores)})");
        var version = cores[0]![Prefix.Length..^".nupkg".Length];
        Assert.True(File.Exists(Path.Combine(folder, $"FabricInvoke.Protos.{version}.nupkg")), $"no FabricInvoke.Protos.{version}.nupkg beside {cores[0]} in {folder}");
        return new LibraryFeed(folder, version);
    }

    private static async Task<string> BuildConsumerAsync()
    {
        var feed = await FeedAsync();
        var consumer = Path.Combine(Work, "consumer");
        Directory.CreateDirectory(consumer);
        foreach (var file in new[] { "Consumer.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(RepositoryRoot, "tests", "FabricInvoke.Package.Tests", "Consumer", file), Path.Combine(consumer, file));
        }

        WriteNuGetConfig(consumer, feed.Folder);
        var build = await BuildAsync("dotnet", ["build", consumer, "-c", "Release", "-nologo", "--disable-build-servers", $"-p:FabricInvokeVersion={feed.Version}"], consumer);
        Assert.True(build.ExitCode == 0, $"the consumer did not build against the package {feed.Version} in {feed.Folder}:\n{build}");
        return Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll");
    }

    private static async Task<string> BuildSampleAsync()
    {
        var feed = await FeedAsync();
        var artifacts = Path.Combine(Work, "sample");
        var build = await BuildAsync("dotnet",
        [
            "build", Path.Combine(RepositoryRoot, "samples", "FabricInvoke.Samples.AssetService", "FabricInvoke.Samples.AssetService.csproj"),
            "-c", "Release", "-nologo", "--disable-build-servers", "--artifacts-path", artifacts,
            $"-p:FabricInvokeClientFeed={feed.Folder}", $"-p:FabricInvokeClientVersion={feed.Version}",
            $"-p:RestorePackagesPath={Path.Combine(Work, "packages")}", $"-p:RestoreFallbackFolders={MachineCache()}",
        ], RepositoryRoot);
        Assert.True(build.ExitCode == 0, $"the sample did not build against the package {feed.Version} in {feed.Folder}:\n{build}");
        var dll = Directory.GetFiles(Path.Combine(artifacts, "bin"), "FabricInvoke.Samples.AssetService.dll", SearchOption.AllDirectories).Single();

        // The proof that it runs on the package, not on Core's source: the runtime resolves FabricInvoke.Core as a package.
        var deps = await File.ReadAllTextAsync(Path.ChangeExtension(dll, ".deps.json"));
        using var json = JsonDocument.Parse(deps);
        var type = json.RootElement.GetProperty("libraries").TryGetProperty($"FabricInvoke.Core/{feed.Version}", out var library)
            ? library.GetProperty("type").GetString()
            : null;
        Assert.True(type == "package", $"the sample's deps.json does not take FabricInvoke.Core {feed.Version} as a package:\n{deps}");
        return dll;
    }

    /// <summary>The freshly packed feed and nuget.org; a package cache of the run's own; the machine's cache as a fallback.</summary>
    private static void WriteNuGetConfig(string folder, string feed)
    {
        var config = new XElement("configuration",
            new XElement("config", Add("globalPackagesFolder", Path.Combine(Work, "packages"))),
            new XElement("packageSources", new XElement("clear"), Add("local", feed), Add("nuget.org", "https://api.nuget.org/v3/index.json")),
            new XElement("fallbackPackageFolders", new XElement("clear"), Add("machine", MachineCache())));
        File.WriteAllText(Path.Combine(folder, "nuget.config"), config.ToString());

        static XElement Add(string key, string value) => new("add", new XAttribute("key", key), new XAttribute("value", value));
    }

    private static string MachineCache() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static async Task<ProcessOutcome> BuildAsync(string file, IEnumerable<string> args, string workingDirectory)
    {
        await OneBuildAtATime.WaitAsync();
        try
        {
            return await RunAsync(file, args, workingDirectory, BuildBound);
        }
        finally
        {
            OneBuildAtATime.Release();
        }
    }

    /// <summary>
    /// Runs a program to its end within <paramref name="bound"/> (killed and failed past it). The environment is this
    /// process's without what `dotnet test` sets for its own MSBuild and without CORE_*/FABRIC_* variables.
    /// </summary>
    public static async Task<ProcessOutcome> RunAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan bound)
    {
        var run = await FabricInvoke.Testing.ChildProcess.RunAsync(StartInfo(file, args, workingDirectory), bound);
        return new ProcessOutcome(run.ExitCode, run.Stdout.ReplaceLineEndings("\n"), run.Stderr);
    }

    internal static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string workingDirectory)
    {
        var info = FabricInvoke.Testing.ChildProcess.StartInfo(file, args, workingDirectory);

        // The test host runs under `dotnet test`: MSBuild's variables from that run must not steer these builds, the
        // packages cache is the nuget.config's, not an inherited NUGET_PACKAGES (and no peer CLI setting leaks in).
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k == "NUGET_PACKAGES"
            || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        return info;
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

        throw new DirectoryNotFoundException("the repository root (FabricInvoke.sln) above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// The sample service running as its own process (<c>dotnet FabricInvoke.Samples.AssetService.dll</c>) on a port the
/// system picked: started, then ready once it printed Kestrel's "Now listening on: URL" line; killed on dispose.
/// </summary>
public sealed class SampleProcess : IAsyncDisposable
{
    private const string Listening = "Now listening on: ";
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SampleProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The address it listens on.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Everything it printed so far (stdout and stderr, interleaved by arrival).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the sample with <paramref name="settings"/> as command-line configuration and waits (within <paramref name="bound"/>) until it listens.</summary>
    public static async Task<SampleProcess> StartAsync(string dll, IReadOnlyDictionary<string, string> settings, TimeSpan bound)
    {
        var args = new List<string> { dll, "--urls", "http://127.0.0.1:0" };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        var process = new Process { StartInfo = PackedLibrary.StartInfo("dotnet", args, PackedLibrary.Work), EnableRaisingEvents = true };
        var sample = new SampleProcess(process);
        process.OutputDataReceived += (_, e) => sample.Line(e.Data);
        process.ErrorDataReceived += (_, e) => sample.Line(e.Data);
        process.Exited += (_, _) => sample._address.TrySetException(new InvalidOperationException("the sample exited before it listened"));
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            sample.Address = await sample._address.Task.WaitAsync(bound);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await sample.DisposeAsync();
            Assert.Fail($"the sample did not listen within {bound.TotalSeconds}s ({e.Message})\n{sample.Output}");
        }

        return sample;
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(line).Append('\n');
        }

        var at = line.IndexOf(Listening, StringComparison.Ordinal);
        if (at >= 0 && Uri.TryCreate(line[(at + Listening.Length)..].Trim(), UriKind.Absolute, out var uri))
        {
            _address.TrySetResult(uri);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It ended meanwhile.
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }
}

/// <summary>A class fixture that removes <see cref="PackedLibrary.Work"/> when the class that uses the packed library ends.</summary>
public sealed class PackedLibraryWork : IDisposable
{
    public void Dispose() => PackedLibrary.DeleteWork();
}
