using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace FabricInvoke.EndToEnd.Tests.Packaging;

/// <summary>
/// The .NET tool as a user gets it: the packages <c>eng/pack-tool.sh</c> makes (in CI, .ci/run packs them once and
/// names the folder in <c>FABINVOKE_TOOL_PACKAGES</c>) install from that folder alone with <c>dotnet tool install</c>,
/// the installed linux-x64 command is the native binary, it tells its version and commit, and it runs the README's
/// <c>--devnet</c> invoke. No registry is asked: the install uses a NuGet.config whose only source is the folder.
/// </summary>
public sealed partial class ToolPackageTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);
    private readonly string _work = Directory.CreateTempSubdirectory("fabinvoke-tool-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>The version the build gives every assembly and package (Directory.Build.props), without the commit.</summary>
    private static string BuiltInformationalVersion =>
        typeof(FabricInvoke.Cli.FabInvokeApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    private static string PackageVersion => BuiltInformationalVersion.Split('+')[0];

    [ToolPackageFact]
    public async Task The_tool_installs_from_the_package_folder_as_the_native_binary_and_runs_the_readme_devnet_invoke()
    {
        var packages = ToolPackageFactAttribute.RequiredFolder();
        Assert.True(File.Exists(Path.Combine(packages, $"fabinvoke.{PackageVersion}.nupkg")),
            $"no fabinvoke.{PackageVersion}.nupkg in {packages} (it holds: {string.Join(", ", Directory.GetFiles(packages).Select(Path.GetFileName))})");
        var tools = Path.Combine(_work, "tools");

        var install = await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--configfile", LocalOnlyConfig(packages), "fabinvoke", "--version", PackageVersion]);
        Assert.True(install.ExitCode == 0, install.ToString());

        // The command is the native executable itself: an ELF file, and no managed assembly beside it.
        var command = Path.Combine(tools, "fabinvoke");
        var target = new FileInfo(command).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? command;
        var header = new byte[18];
        await using (var file = File.OpenRead(target))
        {
            await file.ReadExactlyAsync(header);
        }

        Assert.True(header.AsSpan(0, 4).SequenceEqual(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }), $"{target} is not a native executable");

        // The start-up build (FabricInvoke.Cli.csproj): undehydrated type data in a position-dependent executable, ELF
        // type ET_EXEC (2) rather than a PIE's ET_DYN (3), so that nothing is expanded or relocated before main.
        Assert.True(BitConverter.ToUInt16(header, 16) == 2, $"{target} is not a position-dependent executable (ELF type {BitConverter.ToUInt16(header, 16)})");
        var magic = new byte[4];
        var beside = Directory.GetFiles(Path.GetDirectoryName(target)!).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain("fabinvoke.dll", beside);
        Assert.DoesNotContain(beside, f => f!.EndsWith(".dll", StringComparison.Ordinal));

        // The embedded network is a native helper of its own under devnet/ (the client carries no server code); no symbols.
        var helper = Path.Combine(Path.GetDirectoryName(target)!, "devnet", "fabinvoke-devnet");
        Assert.True(File.Exists(helper), $"no devnet/fabinvoke-devnet beside {target}");
        await using (var file = File.OpenRead(helper))
        {
            await file.ReadExactlyAsync(magic);
        }

        Assert.True(magic.SequenceEqual(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }), $"{helper} is not a native executable");
        var helperFiles = Directory.GetFiles(Path.GetDirectoryName(helper)!).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(helperFiles, f => f!.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".dbg", StringComparison.Ordinal) || f.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.DoesNotContain(beside, f => f!.EndsWith(".dbg", StringComparison.Ordinal) || f.EndsWith(".pdb", StringComparison.Ordinal));

        var version = await RunAsync(command, ["--version"]);
        Assert.True(version.ExitCode == 0, version.ToString());
        AssertVersionWithCommit(version.Stdout.Trim());

        var devnet = Path.Combine(_work, "devnet");
        // The dynamic loader reports what each process loads (one file per process): the native client has OpenSSL
        // linked in (FabricInvoke.Cli.csproj) and loads no libssl or libcrypto; its helper, built the ordinary way, does,
        // which shows the report would name them.
        var loads = Path.Combine(_work, "ld-debug");
        Directory.CreateDirectory(loads);
        var invoke = await RunAsync(command, ["chaincode", "invoke", "--devnet", devnet, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", "--waitForEvent"],
            new Dictionary<string, string> { ["LD_DEBUG"] = "libs", ["LD_DEBUG_OUTPUT"] = Path.Combine(loads, "ld") });
        Assert.True(invoke.ExitCode == 0, invoke.ToString());
        Assert.Contains("committed with status (VALID)", invoke.Stderr, StringComparison.Ordinal);
        Assert.Contains("Chaincode invoke successful", invoke.Stderr, StringComparison.Ordinal);
        var reports = Directory.GetFiles(loads).Select(File.ReadAllText).ToList();
        var client = reports.Where(r => r.Contains($"initialize program: {command}", StringComparison.Ordinal) || r.Contains($"initialize program: {target}", StringComparison.Ordinal)).ToList();
        var helperReport = reports.Where(r => r.Contains("initialize program: " + helper, StringComparison.Ordinal)).ToList();
        Assert.True(client.Count == 1, $"no single loader report for {target} among {reports.Count}");
        Assert.DoesNotContain("libssl.so", client[0], StringComparison.Ordinal);
        Assert.DoesNotContain("libcrypto.so", client[0], StringComparison.Ordinal);
        Assert.True(helperReport.Count == 1, $"no single loader report for {helper} among {reports.Count}");
        Assert.Contains("libssl.so", helperReport[0], StringComparison.Ordinal);

        var query = await RunAsync(command, ["chaincode", "query", "--devnet", devnet, "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Get","k"]}"""]);
        Assert.True(query.ExitCode == 0, query.ToString());
        Assert.Equal("v", query.Stdout.Trim());
    }

    [ToolPackageFact]
    public async Task Dnx_runs_the_tool_once_without_installing_it()
    {
        var packages = ToolPackageFactAttribute.RequiredFolder();

        // `dnx` is `dotnet dnx`: the package (and version), its options, then `--` and the tool's own arguments.
        var run = await RunAsync("dotnet", ["dnx", $"fabinvoke@{PackageVersion}", "--configfile", LocalOnlyConfig(packages), "--", "--version"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertVersionWithCommit(run.Stdout.Trim().Split('\n')[^1]);
    }

    [ToolPackageFact]
    public async Task Other_platforms_get_the_framework_dependent_any_package()
    {
        var packages = ToolPackageFactAttribute.RequiredFolder();

        // The pointer package names a package per RID: the native one and the `any` fallback.
        using (var pointer = ZipFile.OpenRead(Path.Combine(packages, $"fabinvoke.{PackageVersion}.nupkg")))
        {
            var settings = pointer.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
            await using var stream = settings.Open();
            var xml = await XDocument.LoadAsync(stream, LoadOptions.None, CancellationToken.None);
            var rids = xml.Descendants("RuntimeIdentifierPackage").ToDictionary(e => (string)e.Attribute("RuntimeIdentifier")!, e => (string)e.Attribute("Id")!);
            Assert.Equal("fabinvoke.linux-x64", rids.GetValueOrDefault("linux-x64"));
            Assert.Equal("fabinvoke.any", rids.GetValueOrDefault("any"));
        }

        // The fallback is the portable build: it runs under `dotnet` on any machine with the .NET 10 runtime.
        var any = Path.Combine(_work, "any");
        await ZipFile.ExtractToDirectoryAsync(Path.Combine(packages, $"fabinvoke.any.{PackageVersion}.nupkg"), any);
        var dll = Directory.GetFiles(any, "fabinvoke.dll", SearchOption.AllDirectories).Single();
        Assert.True(File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), "the any package has no runtimeconfig.json");
        var version = await RunAsync("dotnet", [dll, "--version"]);
        Assert.True(version.ExitCode == 0, version.ToString());
        AssertVersionWithCommit(version.Stdout.Trim());

        // The client needs the .NET runtime alone; only its embedded-network helper (devnet/) needs ASP.NET Core.
        Assert.DoesNotContain("Microsoft.AspNetCore", await File.ReadAllTextAsync(Path.ChangeExtension(dll, ".runtimeconfig.json")), StringComparison.Ordinal);
        var helper = Path.Combine(Path.GetDirectoryName(dll)!, "devnet", "fabinvoke-devnet.dll");
        Assert.True(File.Exists(helper), $"no devnet/fabinvoke-devnet.dll beside {dll}");
        Assert.False(File.Exists(Path.ChangeExtension(helper, null)), "the any package carries an apphost for fabinvoke-devnet (fabinvoke runs it under dotnet)");
        Assert.Contains("Microsoft.AspNetCore.App", await File.ReadAllTextAsync(Path.ChangeExtension(helper, ".runtimeconfig.json")), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(any, "*.pdb", SearchOption.AllDirectories));

        var invoke = await RunAsync("dotnet", [dll, "chaincode", "invoke", "--devnet", Path.Combine(_work, "any-devnet"), "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""", "--waitForEvent"]);
        Assert.True(invoke.ExitCode == 0, invoke.ToString());
        Assert.Contains("Chaincode invoke successful", invoke.Stderr, StringComparison.Ordinal);
    }

    /// <summary>`--version` prints the version and, from a git checkout, the commit the binary was built from.</summary>
    private static void AssertVersionWithCommit(string printed)
    {
        Assert.Matches(VersionWithCommit(), printed);
        Assert.True(printed == BuiltInformationalVersion,
            $"the packaged binary says '{printed}', this build says '{BuiltInformationalVersion}': the packages in {ToolPackageFactAttribute.Folder} were made from another commit (re-run eng/pack-tool.sh)");
    }

    /// <summary>A NuGet.config whose only source is the package folder, so nothing is asked of any registry.</summary>
    private string LocalOnlyConfig(string packages)
    {
        var path = Path.Combine(_work, "NuGet.config");
        File.WriteAllText(path, new XDocument(new XElement("configuration",
            new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "local"), new XAttribute("value", packages))))).ToString());
        return path;
    }

    private async Task<CliOutcome> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = ChildProcess.StartInfo(file, args, _work);

        // A package cache of this test's own, so no package another build left in the machine's cache is used.
        info.Environment["NUGET_PACKAGES"] = Path.Combine(_work, "nuget-cache");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var run = await ChildProcess.RunAsync(info, Bound);
        return new CliOutcome(run.ExitCode, run.Stdout, run.Stderr, run.Elapsed);
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\+[0-9a-f]{40}$")]
    private static partial Regex VersionWithCommit();
}

/// <summary>
/// A test of the packed tool: it runs when <c>FABINVOKE_TOOL_PACKAGES</c> names the folder eng/pack-tool.sh filled, and
/// is skipped with the reason otherwise — except in CI (<c>CI=true</c>), where a missing folder fails the test.
/// </summary>
internal sealed class ToolPackageFactAttribute : FactAttribute
{
    public const string Variable = "FABINVOKE_TOOL_PACKAGES";

    public ToolPackageFactAttribute()
    {
        if (Folder is null && !InCi)
        {
            Skip = $"{Variable} is not set: run eng/pack-tool.sh DIR, then {Variable}=DIR (.ci/run does both)";
        }
    }

    /// <summary>The package folder; fails the test (in CI) when there is none.</summary>
    public static string RequiredFolder()
    {
        Assert.True(Folder is not null, $"{Variable} does not name a folder of packages; .ci/run packs them with eng/pack-tool.sh and sets it");
        return Folder;
    }

    public static string? Folder => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } folder && Directory.Exists(folder) ? Path.GetFullPath(folder) : null;

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
