using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using FabricInvoke.RealFabric.Tests.Infrastructure;

namespace FabricInvoke.RealFabric.Tests.Differential;

/// <summary>One command line and its environment (added to the target's), for both CLIs unless fabinvoke's differ.</summary>
public sealed record Command(IReadOnlyList<string> Args, IReadOnlyDictionary<string, string?>? Env = null)
{
    /// <summary>fabinvoke's arguments where they differ from the Go CLI's (--gateway: a flag the Go CLI does not have).</summary>
    public IReadOnlyList<string>? FabinvokeArgs { get; init; }

    public IReadOnlyDictionary<string, string?> Environment => Env ?? new Dictionary<string, string?>();
}

/// <summary>
/// One row of the differential table: a command, and the outcome real Fabric gives it (what the Go peer CLI reports).
/// Every CLI run gets a key of its own (<see cref="ScenarioContext.Key"/>), so the two CLIs' runs never meet.
/// </summary>
/// <param name="Name">Identifier (the theory's data).</param>
/// <param name="Expected">The class of the outcome on real Fabric; fabinvoke must give it too (on DevNet as well).</param>
/// <param name="Build">The command, for one run.</param>
public sealed record Scenario(string Name, OutcomeClass Expected, Func<ScenarioContext, Command> Build)
{
    /// <summary>fabinvoke's class where it differs from the Go CLI's on purpose (README "Tested against" says why).</summary>
    public OutcomeClass? FabinvokeDeliberately { get; init; }

    /// <summary>The command writes <see cref="ScenarioContext.Key"/> when it commits (read back afterwards).</summary>
    public bool Writes { get; init; } = true;

    /// <summary>The value the command writes.</summary>
    public string Value { get; init; } = "v1";

    /// <summary>A value written under the key before the command runs (kept when the command does not commit).</summary>
    public string? Prepared { get; init; }

    /// <summary>Appended to the run's key (non-ASCII keys).</summary>
    public string KeySuffix { get; init; } = "";

    /// <summary>A node stopped before the runs and restarted after them.</summary>
    public Node? Stops { get; init; }

    /// <summary>Runs on the mutual-TLS networks (only there).</summary>
    public bool MutualTlsOnly { get; init; }

    /// <summary>Whether both CLIs must report commits at the same peers (not with --gateway: one gateway peer by design).</summary>
    public bool SamePeersCommitted { get; init; } = true;

    /// <summary>Copies of the command each CLI runs at once, on one key (concurrent Incr: MVCC conflicts).</summary>
    public int Copies { get; init; } = 1;

    /// <summary>
    /// The nodes a failure may be blamed on: an error line naming a node must name one of these (fabinvoke's must name
    /// at least one). Null: the peers of the command for endorsement and validation failures, nothing checked otherwise.
    /// </summary>
    public Func<ScenarioContext, IReadOnlyList<string>>? Blamed { get; init; }

    /// <summary>Committed or not is read from the printed txid (qscc), not from a key (Sleep writes a shared key).</summary>
    public bool CommitByTxid { get; init; }

    /// <summary>On success, what both CLIs print on stdout (a query's answer).</summary>
    public string? Prints { get; init; }

    /// <summary>Words fabinvoke's error line must contain (a message the table pins down).</summary>
    public string? FabinvokeErrorSays { get; init; }

    public override string ToString() => Name;
}

/// <summary>What one run of a scenario sees: the target, its own key, helper addresses and files.</summary>
public sealed class ScenarioContext(IScenarioTarget target, string key) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly Lazy<string> SharedBlackHole = new(OpenBlackHole);
    private static readonly ConcurrentBag<Socket> Held = [];
    private string? _temp;

    public IScenarioTarget Target => target;

    /// <summary>This run's key (unique per run).</summary>
    public string Key => key;

    /// <summary>An address that accepts TCP connections and never answers (no TLS handshake, ever).</summary>
    public static string BlackHole => SharedBlackHole.Value;

    /// <summary>An address where nothing listens (connections refused).</summary>
    public static string Closed { get; } = ClosedPort.Address();

    /// <summary>A -c argument: <c>{"Args":[…]}</c> with the strings as they are (UTF-8, not \u-escaped).</summary>
    public static string Args(params string[] args) => JsonSerializer.Serialize(new Dictionary<string, string[]> { ["Args"] = args }, Json);

    /// <summary>
    /// <c>chaincode invoke</c> of <paramref name="ctor"/> on the peers of <paramref name="orgs"/> (default both) through
    /// the first orderer, with the client certificate on mutual-TLS targets, waiting for the commit.
    /// </summary>
    public List<string> Invoke(string ctor, params int[] orgs)
    {
        var args = new List<string> { "chaincode", "invoke", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "-c", ctor };
        foreach (var org in orgs.Length == 0 ? [1, 2] : orgs)
        {
            args.AddRange(["--peerAddresses", target.PeerAddress(org), "--tlsRootCertFiles", target.PeerCa(org)]);
        }

        args.AddRange(["-o", target.OrdererAddress, "--tls", "--cafile", target.OrdererCa]);
        if (target.MutualTls)
        {
            args.AddRange(ClientCertificateFlags());
        }

        args.AddRange(["--connTimeout", ConnTimeout, "--waitForEvent"]);
        return args;
    }

    /// <summary>
    /// Every command's <c>--connTimeout</c> (both CLIs' default is 3s): a healthy loopback connection never needs it, but
    /// a JIT-compiled fabinvoke's first TLS handshake on a 2-core machine running other test projects at once can.
    /// Scenarios about a connection that never completes set their own.
    /// </summary>
    public const string ConnTimeout = "10s";

    /// <summary>The orderer's mutual-TLS flags with User1's TLS pair.</summary>
    public List<string> ClientCertificateFlags()
    {
        var (cert, keyFile) = target.UserTls(1);
        return ["--clientauth", "--certfile", cert, "--keyfile", keyFile];
    }

    /// <summary>Replaces the value after <paramref name="flag"/>'s first occurrence.</summary>
    public static List<string> With(List<string> args, string flag, string value)
    {
        args[args.IndexOf(flag) + 1] = value;
        return args;
    }

    /// <summary>Replaces every <paramref name="from"/> argument with <paramref name="to"/>.</summary>
    public static List<string> Replaced(List<string> args, string from, string to) => args.Select(a => a == from ? to : a).ToList();

    /// <summary>Removes <paramref name="flag"/> and, unless it is a switch, its value.</summary>
    public static List<string> Without(List<string> args, string flag, bool isSwitch = false)
    {
        var at = args.IndexOf(flag);
        args.RemoveRange(at, isSwitch ? 1 : 2);
        return args;
    }

    /// <summary>A copy of Org1 User1's MSP folder whose keystore holds Org1 Admin's key instead of User1's.</summary>
    public string MismatchedMsp()
    {
        _temp ??= Directory.CreateTempSubdirectory("fabinvoke-realfabric-msp-").FullName;
        var msp = Path.Combine(_temp, "msp");
        Copy(target.UserMsp(1), msp);
        foreach (var f in Directory.GetFiles(Path.Combine(msp, "keystore")))
        {
            File.Delete(f);
        }

        foreach (var f in Directory.GetFiles(Path.Combine(target.UserMsp(1, "Admin"), "keystore")))
        {
            File.Copy(f, Path.Combine(msp, "keystore", Path.GetFileName(f)));
        }

        return msp;
    }

    public void Dispose()
    {
        if (_temp is not null)
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }

        foreach (var d in Directory.GetDirectories(from))
        {
            Copy(d, Path.Combine(to, Path.GetFileName(d)));
        }
    }

    private static string OpenBlackHole()
    {
        // Listening, so the kernel completes TCP handshakes into the backlog; never accepted, so no TLS answer ever comes.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(64);
        Held.Add(socket);
        return $"127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}";
    }
}
