using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FabricInvoke.DevNet;

namespace FabricInvoke.Package.Tests;

/// <summary>
/// The FabricInvoke.Core package as a library user gets it: <c>eng/pack-library.sh</c> packs it (and FabricInvoke.Protos)
/// into a temporary feed, with build output in a temporary folder (the repository's bin/ and obj/ are not touched);
/// <c>Consumer/</c> is copied outside the repository and built with a nuget.config that names only that feed and
/// nuget.org (third-party packages come from the machine's package cache as a fallback folder, so no download is
/// needed when the solution was restored), into a package cache of its own; then it runs against a DevNet over TLS:
/// submit a Put, evaluate a Get, read the Put's chaincode event. One pack and one consumer build per run.
/// </summary>
public sealed partial class PackageTests : IAsyncLifetime
{
    /// <summary>A bound for each process (a hang guard, not a speed target: packing on a busy 2-core machine is slow).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(10);

    private readonly string _work = Path.Combine(Path.GetTempPath(), "fabinvoke-package-" + Guid.NewGuid().ToString("N"));
    private DevNetwork? _network;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    [Fact]
    public async Task A_consumer_of_the_packed_library_submits_evaluates_and_reads_the_event_over_tls()
    {
        var root = RepositoryRoot();
        var feed = Path.Combine(_work, "feed");
        // A version no cache can already hold, so the consumer can only get the package packed here.
        var version = "0.0.0-packagetest." + Guid.NewGuid().ToString("N")[..12];

        var pack = await RunAsync("bash", [Path.Combine(root, "eng", "pack-library.sh"), feed, $"-p:Version={version}", "--artifacts-path", Path.Combine(_work, "artifacts")], root);
        Assert.True(pack.ExitCode == 0, $"eng/pack-library.sh failed ({pack.ExitCode}):\n{pack.Output}");
        foreach (var package in new[] { "FabricInvoke.Core", "FabricInvoke.Protos" })
        {
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{version}.nupkg")), $"{package}.{version}.nupkg was not packed:\n{pack.Output}");
        }

        var consumer = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(consumer);
        foreach (var file in new[] { "Consumer.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(root, "tests", "FabricInvoke.Package.Tests", "Consumer", file), Path.Combine(consumer, file));
        }

        WriteNuGetConfig(consumer, feed);
        var build = await RunAsync("dotnet", ["build", consumer, "-c", "Release", "-nologo", $"-p:FabricInvokeVersion={version}"], consumer);
        Assert.True(build.ExitCode == 0, $"the consumer did not build against the package ({build.ExitCode}):\n{build.Output}");

        _network = await DevNetwork.StartAsync(new DevNetOptions { Directory = Path.Combine(_work, "devnet") }).WaitAsync(TimeSpan.FromSeconds(60));
        var user = _network.User(1);
        var key = "k-" + Guid.NewGuid().ToString("N")[..8];
        var value = "v-" + Guid.NewGuid().ToString("N")[..8];
        var args = new List<string>
        {
            Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll"),
            "--channel", _network.ChannelId, "--chaincode", "basic", "--msp-dir", user.MspDirectory, "--msp-id", user.MspId,
        };
        foreach (var peer in _network.Peers)
        {
            args.AddRange(["--peer", $"{peer.Address}={peer.TlsRootCertFile}"]);
        }

        args.AddRange(["--orderer", $"{_network.Orderer.Address}={_network.Orderer.TlsRootCertFile}", key, value]);
        var run = await RunAsync("dotnet", args, consumer);

        Assert.True(run.ExitCode == 0, $"the consumer failed ({run.ExitCode}):\n{run.Output}");
        var submitted = SubmittedLine().Match(run.Stdout);
        Assert.True(submitted.Success, $"no 'submitted <txid> VALID block N' line:\n{run.Output}");
        var txId = submitted.Groups["tx"].Value;
        Assert.Contains($"evaluated {value}\n", run.Stdout, StringComparison.Ordinal);
        // BasicChaincode's Put emits the event "Put" with the key as its payload.
        Assert.Contains($"event Put {key} tx {txId} block {submitted.Groups["block"].Value}\n", run.Stdout, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^submitted (?<tx>[0-9a-f]{64}) VALID block (?<block>\d+)$", RegexOptions.Multiline)]
    private static partial Regex SubmittedLine();

    private static string RepositoryRoot()
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

    /// <summary>The freshly packed feed and nuget.org; a package cache of the test's own; the machine's cache as a fallback.</summary>
    private void WriteNuGetConfig(string folder, string feed)
    {
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var config = new XElement("configuration",
            new XElement("config", Add("globalPackagesFolder", Path.Combine(_work, "packages"))),
            new XElement("packageSources", new XElement("clear"), Add("local", feed), Add("nuget.org", "https://api.nuget.org/v3/index.json")),
            new XElement("fallbackPackageFolders", new XElement("clear"), Add("machine", machineCache)));
        File.WriteAllText(Path.Combine(folder, "nuget.config"), config.ToString());

        static XElement Add(string key, string value) => new("add", new XAttribute("key", key), new XAttribute("value", value));
    }

    private async Task<Outcome> RunAsync(string file, IEnumerable<string> args, string workingDirectory)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // The test host runs under `dotnet test`: MSBuild's variables from that run must not steer these builds, and
        // the packages cache is the nuget.config's, not an inherited NUGET_PACKAGES.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k == "NUGET_PACKAGES").ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        try
        {
            await process.WaitForExitAsync().WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var streams = await output.WaitAsync(Bound);
        return new Outcome(process.ExitCode, streams[0].ReplaceLineEndings("\n"), streams[1]);
    }

    private sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => $"--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }
}
