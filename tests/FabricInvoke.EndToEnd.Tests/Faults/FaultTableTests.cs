using System.Globalization;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.Faults;

/// <summary>
/// One fault, one exit code (issue 22 item 5): each network fault — a black hole, a frozen node, a connection reset, a
/// refused connection, the same endpoint given twice — at a peer (and, for invoke, at the orderer), for every command
/// that talks to one (chaincode invoke, chaincode query, events chaincode, events blocks), directly and through
/// <c>--gateway</c>. Each case runs 10 times at once (each run its own misbehaving socket) against a healthy DevNet for
/// the rest, and every run must give the documented exit code, one <c>Error:</c> line naming the faulty endpoint, and
/// end within a bound derived from its flags (a hang guard, not a speed test). README's "Exit codes" section has the
/// table this class proves.
/// </summary>
public sealed class FaultTableTests : IClassFixture<NetworkFixture>
{
    private const int Runs = 10;
    private static readonly TimeSpan ConnTimeout = TimeSpan.FromSeconds(2); // the healthy endpoints must connect within it on a loaded machine
    private static readonly TimeSpan WaitForEventTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReconnectTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Scheduling on a loaded 2-core machine running 10 commands at once; a hang is far beyond it.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(30);

    private readonly NetworkFixture _net;

    public FaultTableTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    public static TheoryData<string, bool, string, string> Cases()
    {
        var data = new TheoryData<string, bool, string, string>();
        string[] faults = ["black hole", "freeze", "reset", "refused", "duplicate"];
        foreach (var (command, gateway) in new[]
                 {
                     ("invoke", false), ("invoke", true), ("query", false), ("query", true),
                     ("events chaincode", false), ("events chaincode", true), ("events blocks", false),
                 })
        {
            foreach (var fault in faults)
            {
                data.Add(command, gateway, fault, "peer");
                if (command == "invoke" && !gateway)
                {
                    data.Add(command, gateway, fault, "orderer");
                }
            }
        }

        return data;
    }

    /// <summary>The documented exit code of a case: README "Exit codes", fault table.</summary>
    private static int Expected(string fault) => fault == "duplicate" ? 2 : 4;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_fault_gives_its_one_documented_exit_code_within_its_bound_on_every_run(string command, bool gateway, string fault, string at)
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, Runs).Select(_ => RunOnceAsync(command, gateway, fault, at)));

        var expected = Expected(fault);
        foreach (var (outcome, blamed, bound) in runs)
        {
            Assert.True(outcome.ExitCode == expected, $"{command}{(gateway ? " --gateway" : "")}, {fault} at the {at}: expected exit {expected}\n{outcome}");
            outcome.AssertWellBehaved();
            Assert.Contains(blamed, outcome.ErrorLines[0], StringComparison.Ordinal);
            Assert.True(outcome.Elapsed < bound, $"took longer than its bound {bound.TotalSeconds}s\n{outcome}");
        }
    }

    [Fact]
    public async Task A_frozen_peer_costs_one_connTimeout_however_many_calls_wait_on_it()
    {
        // Issue 22 D13: with --waitForEvent a peer's deliver stream and its endorsement share one connection. A call that
        // queued behind the attempt that timed out made a second attempt with a connTimeout of its own: 2 connections
        // to the frozen peer, exit 4 at twice the bound (or exit 9 when the deliver stream's failure was reported).
        var network = _net.Network;
        var runs = await Task.WhenAll(Enumerable.Range(0, Runs).Select(async _ =>
        {
            await using var frozen = new FaultyEndpoint(EndpointFault.Freeze);
            var outcome = await CliRun.RunAsync(_net.UserEnvironment(),
            [
                "chaincode", "invoke", "-C", network.ChannelId, "-n", "basic", "-c", """{"Args":["Put","d13","v"]}""",
                "--peerAddresses", network.Peers[0].Address, "--tlsRootCertFiles", network.Peers[0].TlsRootCertFile,
                "--peerAddresses", frozen.Address, "--tlsRootCertFiles", network.Peers[1].TlsRootCertFile,
                "-o", network.Orderer.Address, "--tls", "--cafile", network.Orderer.TlsRootCertFile,
                "--waitForEvent", "--connTimeout", "2s", "--waitForEventTimeout", "1s",
            ]);
            return (outcome, frozen.Address, frozen.Accepted);
        }));

        foreach (var (outcome, address, accepted) in runs)
        {
            Assert.True(outcome.ExitCode == 4, outcome.ToString());
            outcome.AssertWellBehaved();
            Assert.Contains($"cannot connect to peer {address}: connection timed out (connTimeout)", outcome.ErrorLines[0], StringComparison.Ordinal);
            Assert.True(accepted == 1, $"the frozen peer was connected to {accepted} times: each attempt waits out its own connTimeout\n{outcome}");
            Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(2) + Slack, outcome.ToString());
        }
    }

    private async Task<(CliOutcome Outcome, string Blamed, TimeSpan Bound)> RunOnceAsync(string command, bool gateway, string fault, string at)
    {
        var network = _net.Network;
        var healthy = network.Peers[0];
        FaultyEndpoint? faulty = fault switch
        {
            "black hole" => new FaultyEndpoint(EndpointFault.BlackHole),
            "freeze" => new FaultyEndpoint(EndpointFault.Freeze),
            "reset" => new FaultyEndpoint(EndpointFault.Reset),
            _ => null,
        };
        await using var _ = faulty;
        var address = fault switch
        {
            "refused" => ClosedPort.Address(),
            "duplicate" => at == "orderer" ? network.Orderer.Address : healthy.Address,
            _ => faulty!.Address,
        };
        var faultyCa = at == "orderer" ? network.Orderer.TlsRootCertFile : healthy.TlsRootCertFile;
        var duplicate = fault == "duplicate";

        var args = new List<string>();
        var peerCount = 1;
        var waits = TimeSpan.Zero;
        switch (command)
        {
            case "invoke":
                args.AddRange(["chaincode", "invoke", "-C", network.ChannelId, "-n", "basic", "-c", """{"Args":["Put","fault-table","v"]}"""]);
                if (at == "orderer" || duplicate || gateway)
                {
                    // The faulty endpoint is the orderer, or the (gateway) peer is given alone or twice.
                    args.AddRange(["--peerAddresses", healthy.Address, "--tlsRootCertFiles", healthy.TlsRootCertFile]);
                    if (at == "peer" && duplicate)
                    {
                        args.AddRange(["--peerAddresses", address, "--tlsRootCertFiles", faultyCa]);
                        peerCount = 2;
                    }
                    else if (at == "peer" && gateway)
                    {
                        args.RemoveRange(args.Count - 4, 4);
                        args.AddRange(["--peerAddresses", address, "--tlsRootCertFiles", faultyCa]);
                    }
                }
                else
                {
                    // A healthy peer and the faulty one: the endorsement and the deliver stream both use it.
                    args.AddRange(["--peerAddresses", healthy.Address, "--tlsRootCertFiles", healthy.TlsRootCertFile]);
                    args.AddRange(["--peerAddresses", address, "--tlsRootCertFiles", network.Peers[1].TlsRootCertFile]);
                    peerCount = 2;
                }

                if (!gateway)
                {
                    // Through --gateway the gateway peer orders the transaction: no -o.
                    var orderer = at == "orderer" ? address : network.Orderer.Address;
                    args.AddRange(["-o", orderer, "--tls", "--cafile", network.Orderer.TlsRootCertFile]);
                    if (at == "orderer" && duplicate)
                    {
                        args.AddRange(["-o", orderer]);
                    }
                }

                args.AddRange(["--waitForEvent", "--waitForEventTimeout", Seconds(WaitForEventTimeout)]);
                waits = WaitForEventTimeout;
                break;
            case "query":
                args.AddRange(["chaincode", "query", "-C", network.ChannelId, "-n", "basic", "-c", """{"Args":["Get","fault-table"]}"""]);
                args.AddRange(["--peerAddresses", address, "--tlsRootCertFiles", faultyCa]);
                if (duplicate)
                {
                    args.AddRange(["--peerAddresses", address, "--tlsRootCertFiles", faultyCa]);
                }

                break;
            default:
                args.AddRange([.. command.Split(' '), "-C", network.ChannelId]);
                if (command == "events chaincode")
                {
                    args.AddRange(["-n", "basic"]);
                }

                args.AddRange(["--peerAddresses", address, "--tlsRootCertFiles", faultyCa]);
                if (duplicate)
                {
                    args.AddRange(["--peerAddresses", address, "--tlsRootCertFiles", faultyCa]);
                }

                args.AddRange(["--reconnect-timeout", Seconds(ReconnectTimeout), "--timeout", "60s"]);
                waits = ReconnectTimeout;
                break;
        }

        if (gateway)
        {
            args.Add("--gateway");
        }

        args.AddRange(["--connTimeout", Seconds(ConnTimeout)]);

        // connTimeout counts once per endpoint (peers, and the orderer for an invoke), plus the waits the flags allow.
        var bound = (ConnTimeout * (peerCount + (command == "invoke" && !gateway ? 1 : 0))) + waits + Slack;
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args, bound: bound + TimeSpan.FromSeconds(30));
        return (outcome, address, bound);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
}
