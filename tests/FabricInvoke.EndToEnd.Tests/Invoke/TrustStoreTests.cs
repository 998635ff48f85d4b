using System.Diagnostics;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>
/// TLS trusts only the roots the user names, and costs no reads of the system trust store: a whole invoke over TLS,
/// traced with strace, opens nothing under the system's certificate folders (on Linux .NET used to read ~150 files
/// there in every handshake).
/// </summary>
public sealed class TrustStoreTests : IClassFixture<NetworkFixture>
{
    private static readonly string[] SystemStores = ["/etc/ssl/certs", "/usr/lib/ssl/certs", "/usr/share/ca-certificates", "/etc/pki", "/etc/ssl/cert.pem"];
    private readonly NetworkFixture _net;

    public TrustStoreTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Fact]
    public async Task A_TLS_invoke_reads_no_system_trust_store_file()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the store in question is OpenSSL's
        }

        Assert.True(File.Exists("/usr/bin/strace"), "strace is needed for this test (.ci/run installs it)");
        var trace = Path.Combine(Path.GetTempPath(), "fabinvoke-strace-" + Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo("/usr/bin/strace") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-f", "-qq", "-e", "trace=open,openat,openat2,stat,newfstatat,statx", "-o", trace, "dotnet", typeof(FabricInvoke.Cli.FabInvokeApp).Assembly.Location })
        {
            info.ArgumentList.Add(a);
        }

        foreach (var a in _net.InvokeArgs("""{"Args":["Put","trust","store"]}"""))
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (key, value) in _net.UserEnvironment())
        {
            info.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(info)!;
            var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
            await process.WaitForExitAsync().WaitAsync(CliRun.Bound);
            var streams = await output.WaitAsync(CliRun.Bound);
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{streams[1]}");
            Assert.Contains("committed with status (VALID)", streams[1], StringComparison.Ordinal);

            var lines = await File.ReadAllLinesAsync(trace);
            Assert.Contains(lines, l => l.Contains(_net.Network.Peers[0].TlsRootCertFile, StringComparison.Ordinal));
            var touched = lines.Where(l => SystemStores.Any(s => l.Contains('"' + s, StringComparison.Ordinal))).ToList();
            Assert.True(touched.Count == 0, $"the system trust store was touched:\n{string.Join('\n', touched.Take(10))}");
        }
        finally
        {
            File.Delete(trace);
        }
    }
}
