using System.Net;
using System.Net.Sockets;
using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Protos.Common;

namespace FabricInvoke.EndToEnd.Tests.Invoke;

/// <summary>Several orderers: tried in the order given; unreachable or SERVICE_UNAVAILABLE moves on, other refusals stop.</summary>
public sealed class OrdererFailoverTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public OrdererFailoverTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    private List<string> WithOrderers(string ctor, params string[] orderers)
    {
        var args = _net.InvokeArgs(ctor);
        var at = args.IndexOf("-o");
        args.RemoveRange(at, 2);
        foreach (var o in orderers)
        {
            args.AddRange(["-o", o]);
        }

        // Long enough for a healthy orderer on a loaded machine; an unreachable one is retried for this long.
        args.AddRange(["--connTimeout", "2s"]);
        return args;
    }

    private string Real => _net.Network.Orderer.Address;

    [Fact]
    public async Task An_unreachable_first_orderer_is_skipped_and_the_next_one_orders_the_transaction()
    {
        var dead = ClosedPort.Address();

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithOrderers("""{"Args":["Put","failover","1"]}""", dead, Real));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"sent to orderer {Real}", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains("committed with status (VALID)", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_comma_separated_orderer_list_is_accepted_as_Fabric_v3_does()
    {
        var dead = ClosedPort.Address();

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithOrderers("""{"Args":["Put","failover","2"]}""", $"{dead},{Real}"));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"sent to orderer {Real}", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SERVICE_UNAVAILABLE_moves_on_to_the_next_orderer()
    {
        _net.Network.Orderer.Faults.BroadcastStatus = Status.ServiceUnavailable;
        _net.Network.Orderer.Faults.BroadcastInfo = "no raft leader";
        _net.Network.Orderer.Faults.BroadcastStatusTimes = 1;

        // The same orderer under two names (the same address twice is refused as a duplicate) stands for two orderers:
        // the first answer is SERVICE_UNAVAILABLE, the second SUCCESS. Its TLS certificate names localhost too.
        var byName = "localhost:" + Real[(Real.LastIndexOf(':') + 1)..];
        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithOrderers("""{"Args":["Put","failover","3"]}""", Real, byName));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("committed with status (VALID)", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_every_orderer_fails_the_message_lists_what_each_said()
    {
        var dead = ClosedPort.Address();
        _net.Network.Orderer.Faults.BroadcastStatus = Status.ServiceUnavailable;
        _net.Network.Orderer.Faults.BroadcastInfo = "no raft leader";

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithOrderers("""{"Args":["Put","failover","4"]}""", dead, Real));

        Assert.True(outcome.ExitCode == 6, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"{dead}: connection refused", error, StringComparison.Ordinal);
        Assert.Contains($"{Real}: got unexpected status: SERVICE_UNAVAILABLE -- no raft leader", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Status.BadRequest, "BAD_REQUEST")]
    [InlineData(Status.Forbidden, "FORBIDDEN")]
    public async Task A_definite_refusal_stops_at_the_first_orderer_and_exits_6(Status status, string name)
    {
        _net.Network.Orderer.Faults.BroadcastStatus = status;
        _net.Network.Orderer.Faults.BroadcastInfo = "refused by test";
        var dead = ClosedPort.Address();

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithOrderers("""{"Args":["Put","failover","5"]}""", Real, dead));

        Assert.True(outcome.ExitCode == 6, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"orderer {Real}: got unexpected status: {name} -- refused by test", error, StringComparison.Ordinal);
        Assert.DoesNotContain(dead, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_orderer_unreachable_exits_4_within_the_connect_timeout_per_orderer()
    {
        var dead1 = ClosedPort.Address();
        var dead2 = ClosedPort.Address();

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithOrderers("""{"Args":["Put","failover","6"]}""", dead1, dead2));

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains(dead1, error, StringComparison.Ordinal);
        Assert.Contains(dead2, error, StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds((2 * 2) + 10), outcome.ToString());
    }

    [Fact]
    public async Task An_orderer_that_takes_the_envelope_but_never_answers_exits_6_saying_the_outcome_is_unknown()
    {
        _net.Network.Orderer.Faults.BroadcastDelay = TimeSpan.FromSeconds(30);
        var args = WithOrderers("""{"Args":["Put","failover","7"]}""", Real);
        args.AddRange(["--requestTimeout", "3s"]);

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 6, outcome.ToString());
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"orderer {Real}: no response within 3s (requestTimeout); the transaction may still be ordered", error, StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(3 + 10), outcome.ToString());
    }

    // The first orderer's connection is opened while the peers endorse: an endorsement failure must not wait for it.
    [Fact]
    public async Task An_endorsement_failure_exits_5_at_once_while_the_first_orderer_is_still_connecting()
    {
        using var silent = new SilentOrderer();
        var args = WithOrderers("""{"Args":["Fail","no such asset"]}""", silent.Address, Real);
        args[args.IndexOf("--connTimeout") + 1] = "60s";

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

        Assert.True(outcome.ExitCode == 5, outcome.ToString());
        Assert.Contains("no such asset", Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain(silent.Address, outcome.Stderr, StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(30), outcome.ToString());
    }

    [Fact]
    public async Task A_first_orderer_whose_connection_opened_during_endorsement_never_completes_is_skipped_after_the_connect_timeout()
    {
        using var silent = new SilentOrderer();

        var outcome = await CliRun.RunAsync(_net.UserEnvironment(), WithOrderers("""{"Args":["Put","failover","8"]}""", silent.Address, Real));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"sent to orderer {Real}", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains("committed with status (VALID)", outcome.Stderr, StringComparison.Ordinal);
        Assert.True(silent.Accepted >= 1, "the silent orderer was connected to");
    }

    /// <summary>An orderer that accepts TCP connections and never says a word (no TLS ServerHello).</summary>
    private sealed class SilentOrderer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _accepted = [];

        public SilentOrderer()
        {
            _listener.Start();
            Address = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
            _ = AcceptAsync();
        }

        public string Address { get; }

        public int Accepted
        {
            get
            {
                lock (_accepted)
                {
                    return _accepted.Count;
                }
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_accepted)
            {
                _accepted.ForEach(s => s.Dispose());
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    lock (_accepted)
                    {
                        _accepted.Add(socket);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }
}
