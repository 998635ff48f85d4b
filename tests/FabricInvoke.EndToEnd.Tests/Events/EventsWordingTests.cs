using FabricInvoke.EndToEnd.Tests.Infrastructure;
using FabricInvoke.Protos.Common;

namespace FabricInvoke.EndToEnd.Tests.Events;

/// <summary>
/// Issue 22 D18: events send no transaction, so their deliver failures (the Error: line, and each reconnect line) must
/// not say "the transaction was not sent to the orderer", as invoke's do.
/// </summary>
public sealed class EventsWordingTests : IClassFixture<NetworkFixture>
{
    private readonly NetworkFixture _net;

    public EventsWordingTests(NetworkFixture net)
    {
        _net = net;
        _net.Heal();
    }

    [Theory]
    [InlineData("blocks")]
    [InlineData("chaincode")]
    public async Task A_refused_deliver_stream_is_exit_9_without_transaction_wording(string command)
    {
        var peer = _net.Network.Peers[0];
        peer.Faults.DeliverStatus = Status.Forbidden;
        try
        {
            List<string> args = ["events", command, "-C", _net.Network.ChannelId];
            if (command == "chaincode")
            {
                args.AddRange(["-n", "basic"]);
            }

            args.AddRange(["--peerAddresses", peer.Address, "--tlsRootCertFiles", peer.TlsRootCertFile, "--reconnect-timeout", "2s"]);
            var outcome = await CliRun.RunAsync(_net.UserEnvironment(), args);

            Assert.True(outcome.ExitCode == 9, outcome.ToString());
            outcome.AssertWellBehaved();
            Assert.Contains($"deliver from {peer.Address} failed", outcome.ErrorLines[0], StringComparison.Ordinal);
            Assert.DoesNotContain("transaction", outcome.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            _net.Heal();
        }
    }
}
