namespace FabricInvoke.EndToEnd.Tests.Cli;

/// <summary>
/// Every file flag and variable of <c>chaincode invoke</c>, given a device that never ends, a FIFO nobody writes to,
/// or a directory: exit 3 with one <c>Error:</c> line naming the file, before any connection is tried — where the
/// unbounded reads of before took 4 GB and then crashed, or blocked in open() for ever.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private static readonly string Identities = Path.Combine(AppContext.BaseDirectory, "Fixtures", "identities");
    private static readonly string FixtureMsp = Path.Combine(Identities, "org1-user1", "msp");
    private static readonly string PeerTlsCa = Path.Combine(Identities, "tlsca", "org1.pem");
    private static readonly string OrdererTlsCa = Path.Combine(Identities, "tlsca", "orderer.pem");
    private static readonly string ClientCert = Path.Combine(Identities, "org1-user1", "tls", "client.crt");
    private static readonly string ClientKey = Path.Combine(Identities, "org1-user1", "tls", "client.key");

    /// <summary>Bounds the whole command: it should take milliseconds; a blocked open() would take for ever.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly HostileFiles _files = new();

    public void Dispose() => _files.Dispose();

    public static TheoryData<string, string> Cases()
    {
        string[] targets =
        [
            "--tlsRootCertFiles", "--cafile", "--certfile", "--keyfile",
            "CORE_PEER_TLS_CLIENTCERT_FILE", "CORE_PEER_TLS_CLIENTKEY_FILE", "MSP keystore key", "MSP signcert",
        ];
        string[] kinds = OperatingSystem.IsWindows() ? ["directory"] : ["/dev/zero", "fifo", "directory"];
        var data = new TheoryData<string, string>();
        foreach (var target in targets)
        {
            foreach (var kind in kinds)
            {
                data.Add(target, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_file_exits_3_with_one_line_naming_it(string target, string kind)
    {
        var (env, args, named, problem) = Command(target, kind);

        var outcome = await CliRun.RunAsync(env, args, bound: Bound);

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        outcome.AssertWellBehaved();
        var error = Assert.Single(outcome.ErrorLines);
        Assert.EndsWith($": {named}", error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);

        // No "chmod 600 /dev/zero": only a regular file can be a key whose mode is worth a warning.
        Assert.DoesNotContain($"private key file {named} ", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_8_GiB_sparse_file_as_the_TLS_root_exits_3_without_reading_it()
    {
        var sparse = _files.Make("sparse 8 GiB", 1 << 20);
        var (env, args, _, _) = Command("--tlsRootCertFiles", "directory");
        args[args.IndexOf("--tlsRootCertFiles") + 1] = sparse;

        var outcome = await CliRun.RunAsync(env, args, bound: Bound);

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains($"bytes, more than the 1 MiB a PEM certificate file may hold): {sparse}", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>
    /// The environment and arguments of an invoke that reaches the file under test with every other file good, the
    /// path its error must end with, and what it must say.
    /// </summary>
    private (Dictionary<string, string?> Env, List<string> Args, string Named, string Problem) Command(string target, string kind)
    {
        var env = new Dictionary<string, string?>
        {
            ["CORE_PEER_LOCALMSPID"] = "Org1MSP",
            ["CORE_PEER_MSPCONFIGPATH"] = FixtureMsp,
        };

        // Nothing listens on either address: files are read before anything connects, so they are what fails.
        var args = new List<string>
        {
            "chaincode", "invoke", "-C", "mychannel", "-n", "basic", "-c", """{"Args":["Put","k","v"]}""",
            "--peerAddresses", ClosedPort.Address(), "-o", ClosedPort.Address(), "--connTimeout", "500ms", "--waitForEvent",
        };

        if (target.StartsWith("MSP ", StringComparison.Ordinal))
        {
            var msp = CopyMsp();
            env["CORE_PEER_MSPCONFIGPATH"] = msp;
            var folder = Path.Combine(msp, target == "MSP keystore key" ? "keystore" : "signcerts");
            var file = Directory.GetFiles(folder).Single();
            if (kind == "directory")
            {
                // Fabric passes over folders inside keystore/ and signcerts/; then the folder lacks its file.
                File.Delete(file);
                Directory.CreateDirectory(file);
                return (env, args, folder, target == "MSP keystore key" ? "no private key found in the MSP keystore folder" : "no signing certificate found");
            }

            var limit = target == "MSP keystore key" ? 64 << 10 : 1 << 20;
            return (env, args, _files.Make(kind, limit, at: file), HostileFiles.ExpectedProblem(kind));
        }

        var keyLike = target is "--keyfile" or "CORE_PEER_TLS_CLIENTKEY_FILE";
        var hostile = _files.Make(kind, keyLike ? 64 << 10 : 1 << 20);
        var named = Path.GetFullPath(hostile);
        switch (target)
        {
            case "--tlsRootCertFiles":
                env["CORE_PEER_TLS_ENABLED"] = "true";
                args.AddRange(["--tlsRootCertFiles", hostile]);
                break;
            case "--cafile":
                args.AddRange(["--tls", "--cafile", hostile]);
                break;
            case "--certfile" or "--keyfile":
                args.AddRange(["--tls", "--cafile", OrdererTlsCa, "--clientauth",
                    "--certfile", target == "--certfile" ? hostile : ClientCert,
                    "--keyfile", target == "--keyfile" ? hostile : ClientKey]);
                break;
            case "CORE_PEER_TLS_CLIENTCERT_FILE" or "CORE_PEER_TLS_CLIENTKEY_FILE":
                env["CORE_PEER_TLS_ENABLED"] = "true";
                env["CORE_PEER_TLS_CLIENTAUTHREQUIRED"] = "true";
                env["CORE_PEER_TLS_CLIENTCERT_FILE"] = target == "CORE_PEER_TLS_CLIENTCERT_FILE" ? hostile : ClientCert;
                env["CORE_PEER_TLS_CLIENTKEY_FILE"] = target == "CORE_PEER_TLS_CLIENTKEY_FILE" ? hostile : ClientKey;
                args.AddRange(["--tlsRootCertFiles", PeerTlsCa]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(target), target, null);
        }

        return (env, args, named, HostileFiles.ExpectedProblem(kind));
    }

    /// <summary>A private copy of the fixture MSP folder inside the hostile files' folder (removed with it), key mode 0600.</summary>
    private string CopyMsp()
    {
        var msp = Path.Combine(_files.Root, "msp-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.GetFiles(FixtureMsp, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(msp, Path.GetRelativePath(FixtureMsp, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return msp;
    }
}
