using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>
/// A full disk (an injected write fault: half a record reaches the file, then ENOSPC) as a user of the CLI meets
/// it: the node says so at once, a new invoke is refused (exit 6 SERVICE_UNAVAILABLE from the orderer, exit 5 from a
/// peer) instead of waiting out its timeout, an invoke the orderer had already accepted still commits, and once space
/// is back the next invoke succeeds with no restart.
/// </summary>
public sealed class DevNetWriteFailureTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fabinvoke-full-" + Guid.NewGuid().ToString("N"));
    private readonly List<DevNetDiagnostic> _seen = [];
    private readonly Lock _gate = new();
    private readonly List<(Func<DevNetDiagnostic, bool> Match, TaskCompletionSource Done)> _waiters = [];
    private StartedNetwork _net = null!;

    public async Task InitializeAsync()
    {
        var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = _dir, Diagnostics = Seen }).WaitAsync(CliRun.Bound);
        _net = new StartedNetwork(network);
    }

    public async Task DisposeAsync()
    {
        await _net.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public async Task Orderer_disk_full_refuses_new_invokes_with_SERVICE_UNAVAILABLE_and_recovers_when_space_is_back()
    {
        var orderer = _net.Network.Orderer;
        var failing = WaitFor(DevNetDiagnosticKind.LedgerWriteFailed, "orderer.example.com");
        orderer.Faults.FailLedgerWrites = true;

        var accepted = CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","full","accepted"]}""", timeout: "40s"));
        await failing.WaitAsync(CliRun.Bound);

        var refused = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","full","refused"]}"""));
        Assert.True(refused.ExitCode == 6, refused.ToString());
        refused.AssertWellBehaved();
        Assert.Contains("SERVICE_UNAVAILABLE", refused.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("No space left on device", refused.ErrorLines[0], StringComparison.Ordinal);
        Assert.True(refused.Elapsed < TimeSpan.FromSeconds(10), $"refused only after {refused.Elapsed}");

        var recovered = WaitFor(DevNetDiagnosticKind.LedgerWriteRecovered, "orderer.example.com");
        orderer.Faults.FailLedgerWrites = false;
        await recovered.WaitAsync(CliRun.Bound);

        var first = await accepted.WaitAsync(CliRun.Bound);
        Assert.True(first.ExitCode == 0, first.ToString());
        var after = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Get","full"]}"""));
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains("payload:\"accepted\"", after.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Peer_disk_full_refuses_new_invokes_at_endorsement_and_the_peer_catches_up_by_itself()
    {
        var peer = _net.Network.Peers[1];
        var failing = WaitFor(DevNetDiagnosticKind.LedgerWriteFailed, peer.Name);
        peer.Faults.FailLedgerWrites = true;

        var accepted = CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","peerfull","accepted"]}""", timeout: "40s"));
        await failing.WaitAsync(CliRun.Bound);

        var refused = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","peerfull","refused"]}"""));
        Assert.True(refused.ExitCode == 5, refused.ToString());
        Assert.Contains($"at peer {peer.Address}: response: status:503", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("cannot persist blocks", refused.ErrorLines[0], StringComparison.Ordinal);

        var recovered = WaitFor(DevNetDiagnosticKind.LedgerWriteRecovered, peer.Name);
        peer.Faults.FailLedgerWrites = false;
        await recovered.WaitAsync(CliRun.Bound);

        Assert.Equal(0, (await accepted.WaitAsync(CliRun.Bound)).ExitCode);
        var after = await CliRun.RunAsync(_net.UserEnvironment(), _net.InvokeArgs("""{"Args":["Put","peerfull","after"]}"""));
        Assert.True(after.ExitCode == 0, after.ToString());
    }

    private void Seen(DevNetDiagnostic diagnostic)
    {
        List<TaskCompletionSource> done;
        lock (_gate)
        {
            _seen.Add(diagnostic);
            done = _waiters.Where(w => w.Match(diagnostic)).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => w.Match(diagnostic));
        }

        done.ForEach(d => d.TrySetResult());
    }

    /// <summary>Completes at the next diagnostic of <paramref name="kind"/> about <paramref name="node"/>.</summary>
    private Task WaitFor(DevNetDiagnosticKind kind, string node)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((d => d.Kind == kind && d.Node == node, done));
        }

        return done.Task;
    }
}
