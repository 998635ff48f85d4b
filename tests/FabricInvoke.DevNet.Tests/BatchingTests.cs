using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Peer;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Tests;

public sealed class BatchingTests(BatchSizeDevNetFixture fixture) : IClassFixture<BatchSizeDevNetFixture>
{
    [Fact]
    public async Task Block_is_cut_when_batch_size_transactions_are_pending()
    {
        var client = fixture.Client();
        var peer = fixture.Network.Peers[0];
        using var deliver = await client.DeliverAsync(peer);
        var first = (await deliver.NextAsync())!.FilteredBlock.Number;
        var proposals = Enumerable.Range(0, 3).Select(i => client.Propose(["Put", $"batch-{i}", "v"])).ToList();
        var envelopes = new List<FabricInvoke.Protos.Common.Envelope>();
        foreach (var proposal in proposals)
        {
            envelopes.Add(client.Transaction(proposal, await client.EndorseAllAsync(proposal)));
        }

        var answers = await client.BroadcastAsync([.. envelopes]);

        Assert.All(answers, a => Assert.Equal(Status.Success, a.Status));
        // The batch timeout is 30 s, so only the batch size can have cut this block in time.
        var block = (await deliver.NextAsync())!.FilteredBlock;
        Assert.Equal(first + 1, block.Number);
        Assert.Equal(proposals.Select(p => p.TxId), block.FilteredTransactions.Select(t => t.Txid));
        Assert.All(block.FilteredTransactions, t => Assert.Equal(TxValidationCode.Valid, t.TxValidationCode));
    }
}

public sealed class BatchTimeoutTests(DevNetFixture fixture) : IClassFixture<DevNetFixture>
{
    [Fact]
    public async Task A_lone_transaction_is_cut_into_its_own_block_by_the_batch_timeout()
    {
        var client = fixture.Client();
        var peer = fixture.Network.Peers[0];
        using var deliver = await client.DeliverAsync(peer);
        var first = (await deliver.NextAsync())!.FilteredBlock.Number;
        var proposal = client.Propose(["Put", "lone", "v"]);
        var envelope = client.Transaction(proposal, await client.EndorseAllAsync(proposal));

        var answers = await client.BroadcastAsync(envelope);

        Assert.Equal(Status.Success, Assert.Single(answers).Status);
        // One pending transaction never reaches the batch size of 10: only the 100 ms timeout can cut this block.
        var block = (await deliver.NextAsync())!.FilteredBlock;
        Assert.Equal(first + 1, block.Number);
        Assert.Equal(proposal.TxId, Assert.Single(block.FilteredTransactions).Txid);
    }
}
