using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Peer;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Tests;

/// <summary>A network whose diagnostics are recorded.</summary>
public sealed class ObservedDevNetFixture : DevNetFixture
{
    public DiagnosticLog Log { get; } = new();

    protected override DevNetOptions Options(string directory) => new() { Directory = directory, Diagnostics = Log.Add };
}

/// <summary>
/// A node that cannot write its ledger (injected ENOSPC) says so at once, refuses new transactions with
/// SERVICE_UNAVAILABLE, keeps what it already accepted, and recovers by itself when writes succeed again.
/// </summary>
[Collection(nameof(LedgerWriteFailureTests))]
public sealed class LedgerWriteFailureTests(ObservedDevNetFixture fixture) : IClassFixture<ObservedDevNetFixture>, IDisposable
{
    public void Dispose() => fixture.Heal();

    [Fact]
    public async Task An_orderer_that_cannot_write_refuses_broadcasts_then_orders_what_it_accepted_once_it_can()
    {
        var network = fixture.Network;
        var client = fixture.Client();
        fixture.Log.Mark();
        network.Orderer.Faults.FailLedgerWrites = true;

        var accepted = client.InvokeAsync(["Put", "full-orderer", "kept"]);
        var failed = await fixture.Log.WaitFor(DevNetDiagnosticKind.LedgerWriteFailed, "orderer.example.com").WaitAsync(DevNetFixture.Bound);
        Assert.Contains("No space left on device", failed.Message, StringComparison.Ordinal);
        Assert.Contains("blocks.bin", failed.Message, StringComparison.Ordinal);

        var proposal = client.Propose(["Put", "full-orderer", "refused"]);
        var refused = Assert.Single(await client.BroadcastAsync(client.Transaction(proposal, await client.EndorseAllAsync(proposal))));
        Assert.Equal(Status.ServiceUnavailable, refused.Status);
        Assert.Contains("cannot persist blocks", refused.Info, StringComparison.Ordinal);
        Assert.False(accepted.IsCompleted);

        network.Orderer.Faults.FailLedgerWrites = false;
        await fixture.Log.WaitFor(DevNetDiagnosticKind.LedgerWriteRecovered, "orderer.example.com").WaitAsync(DevNetFixture.Bound);

        Assert.All((await accepted.WaitAsync(DevNetFixture.Bound)).Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
        Assert.All((await client.InvokeAsync(["Put", "full-orderer", "after"])).Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
    }

    [Fact]
    public async Task A_peer_that_cannot_write_refuses_proposals_and_catches_up_by_itself()
    {
        var network = fixture.Network;
        var peer = network.Peers[0];
        var client = fixture.Client();
        fixture.Log.Mark();
        peer.Faults.FailLedgerWrites = true;

        var accepted = client.InvokeAsync(["Put", "full-peer", "kept"]);
        await fixture.Log.WaitFor(DevNetDiagnosticKind.LedgerWriteFailed, peer.Name).WaitAsync(DevNetFixture.Bound);

        // A Put: the healthy peer endorses it whether or not it has committed the block above yet.
        var responses = await client.EndorseAllAsync(client.Propose(["Put", "full-peer", "refused"]));
        Assert.Equal(503, responses[0].Response.Status);
        Assert.Contains("cannot persist blocks", responses[0].Response.Message, StringComparison.Ordinal);
        Assert.Equal(200, responses[1].Response.Status);

        peer.Faults.FailLedgerWrites = false;
        await fixture.Log.WaitFor(DevNetDiagnosticKind.LedgerWriteRecovered, peer.Name).WaitAsync(DevNetFixture.Bound);

        Assert.All((await accepted.WaitAsync(DevNetFixture.Bound)).Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
        Assert.Equal(network.Orderer.Height, peer.Height);
        var get = await client.EndorseAllAsync(client.Propose(["Get", "full-peer"]));
        Assert.All(get, r => Assert.Equal("kept", r.Response.Payload.ToStringUtf8()));
    }
}
