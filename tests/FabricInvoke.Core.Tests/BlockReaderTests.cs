using System.Text;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.Core.Tests;

/// <summary>What the deliver client reads out of real blocks from a Fabric v2.4.9 peer (captured/index.json facts).</summary>
public sealed class BlockReaderTests
{
    [Theory]
    [InlineData("block-put.bin", false)]
    [InlineData("deliver-block-put.bin", true)]
    public void A_full_block_yields_its_transaction_validation_code_and_chaincode_event_with_payload(string file, bool isDeliverResponse)
    {
        var facts = Fixtures.CapturedEntry("captured/" + file).GetProperty("facts");
        var bytes = Fixtures.Captured(file);
        var block = isDeliverResponse ? DeliverResponse.Parser.ParseFrom(bytes).Block : Block.Parser.ParseFrom(bytes);

        var read = BlockReader.FromFull(block);

        Assert.Equal(facts.GetProperty("block_number").GetUInt64(), read.Number);
        var tx = Assert.Single(read.Transactions);
        Assert.Equal(facts.Str("txid"), tx.TxId);
        Assert.Equal(0, tx.Index);
        Assert.Equal(HeaderType.EndorserTransaction, tx.Type);
        Assert.True(tx.IsValid);
        Assert.Equal("VALID", tx.ValidationCodeName);
        var expected = facts.GetProperty("chaincode_event");
        var e = Assert.Single(tx.Events);
        Assert.Equal(expected.Str("chaincode_id"), e.ChaincodeName);
        Assert.Equal(expected.Str("tx_id"), e.TxId);
        Assert.Equal(expected.Str("event_name"), e.EventName);
        Assert.Equal(expected.Str("payload_utf8"), Encoding.UTF8.GetString(e.Payload));
    }

    [Theory]
    [InlineData("cli-run1-deliverfiltered-response-peer0.org1-0.bin")]
    [InlineData("cli-run1-deliverfiltered-response-peer0.org1-1.bin")]
    [InlineData("cli-run2-deliverfiltered-response-peer0.org2-1.bin")]
    public void A_filtered_block_yields_txids_codes_and_events_without_payload(string file)
    {
        var facts = Fixtures.CapturedEntry("captured/" + file).GetProperty("facts");

        var read = BlockReader.FromFiltered(DeliverResponse.Parser.ParseFrom(Fixtures.Captured(file)).FilteredBlock);

        Assert.Equal(facts.GetProperty("block_number").GetUInt64(), read.Number);
        var expected = facts.GetProperty("filtered_transactions").EnumerateArray().ToList();
        Assert.Equal(expected.Select(t => t.Str("txid")), read.Transactions.Select(t => t.TxId));
        Assert.Equal(expected.Select(t => t.Str("validation_code")), read.Transactions.Select(t => t.ValidationCodeName));
        Assert.All(read.Transactions.SelectMany(t => t.Events), ev => Assert.Empty(ev.Payload));
        Assert.Equal(
            expected.SelectMany(t => t.GetProperty("chaincode_events").EnumerateArray()).Select(ev => ev.Str("event_name")),
            read.Transactions.SelectMany(t => t.Events).Select(ev => ev.EventName));
    }

    [Fact]
    public void An_envelope_that_does_not_parse_is_a_transaction_without_id_or_events_not_a_failure()
    {
        var block = Block.Parser.ParseFrom(Fixtures.Captured("block-put.bin"));
        block.Data.Data.Add(Google.Protobuf.ByteString.CopyFrom(0xff, 0xff, 0xff));
        block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter] = Google.Protobuf.ByteString.CopyFrom(0, (byte)TxValidationCode.BadPayload);

        var read = BlockReader.FromFull(block);

        Assert.Equal(2, read.Transactions.Count);
        Assert.Equal(string.Empty, read.Transactions[1].TxId);
        Assert.Empty(read.Transactions[1].Events);
        Assert.Equal(TxValidationCode.BadPayload, read.Transactions[1].ValidationCode);
    }
}
