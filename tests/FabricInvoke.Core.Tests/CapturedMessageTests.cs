using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Msp;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using PeerDeliverResponse = FabricInvoke.Protos.Peer.DeliverResponse;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// captured/*.bin: real messages from the Fabric v2.4.9 network. Each decodes with our generated types to the facts
/// index.json records, and re-encodes to the identical bytes (proving our .proto field numbers and types).
/// </summary>
public sealed class CapturedMessageTests
{
    /// <summary>Proto types we model, by fully qualified proto name.</summary>
    private static readonly Dictionary<string, MessageParser> Parsers = new()
    {
        ["protos.ProposalResponse"] = ProposalResponse.Parser,
        ["protos.SignedProposal"] = SignedProposal.Parser,
        ["protos.DeliverResponse"] = PeerDeliverResponse.Parser,
        ["common.Envelope"] = Envelope.Parser,
        ["common.Block"] = Block.Parser,
        ["orderer.BroadcastResponse"] = BroadcastResponse.Parser,
    };

    public static TheoryData<string> ModelledFiles()
    {
        var data = new TheoryData<string>();
        foreach (var e in Fixtures.CapturedEntries())
        {
            // channel-config.bin (common.Config) holds proto maps whose order Go randomises; gateway and google.rpc types are not modelled yet.
            if (Parsers.ContainsKey(e.Str("message_type")))
            {
                data.Add(e.Str("file"));
            }
        }

        return data;
    }

    [Fact]
    public void Index_lists_every_captured_file_with_its_real_size_and_hash()
    {
        var entries = Fixtures.CapturedEntries().ToList();
        Assert.Equal(128, entries.Count); // 126 + the two gateway-chaincodeevents files added to the shared set on 2026-11-24
        Assert.Equal(115, ModelledFiles().Count); // all but common.Config, gateway.* and google.rpc.Status
        foreach (var e in entries)
        {
            var bytes = Fixtures.Captured(e.Str("file"));
            Assert.Equal(e.GetProperty("size").GetInt32(), bytes.Length);
            Assert.Equal(e.Str("sha256"), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }

    [Theory]
    [MemberData(nameof(ModelledFiles))]
    public void Reencodes_to_identical_bytes_with_no_unknown_fields(string file)
    {
        var entry = Fixtures.CapturedEntry(file);
        var bytes = Fixtures.Captured(file);

        var type = entry.Str("message_type");

        // Keeping unknown fields, the bytes survive a round trip whatever we model.
        Assert.Equal(bytes, Parsers[type].ParseFrom(bytes).ToByteArray());

        // Discarding them, a wrong field number or a field we do not model shows up as missing bytes.
        var message = Parsers[type].WithDiscardUnknownFields(true).ParseFrom(bytes);
        Assert.Equal(bytes, message.ToByteArray());
        if (file.Contains("malformed-payload", StringComparison.Ordinal))
        {
            return; // its payload is deliberately not a common.Payload
        }

        foreach (var nested in NestedMessages(message))
        {
            Assert.Equal(nested.Bytes, nested.Message.ToByteArray());
        }
    }

    [Fact]
    public void Proposal_response_carries_the_chaincode_interest_of_real_peers()
    {
        // Peers v2.2+ send field 7 (ChaincodeInterest): our proto models it, so nothing is lost on re-encoding.
        var message = ProposalResponse.Parser.ParseFrom(Fixtures.Captured("pr-put-success-peer0.org1.bin"));
        Assert.Equal("basic", Assert.Single(message.Interest.Chaincodes).Name);
    }

    [Theory]
    [MemberData(nameof(ModelledFiles))]
    public void Decodes_to_the_recorded_facts(string file)
    {
        var entry = Fixtures.CapturedEntry(file);
        var facts = entry.GetProperty("facts");
        var bytes = Fixtures.Captured(file);
        switch (entry.Str("message_type"))
        {
            case "protos.ProposalResponse":
                AssertProposalResponse(ProposalResponse.Parser.ParseFrom(bytes), facts);
                break;
            case "protos.SignedProposal":
                AssertSignedProposal(SignedProposal.Parser.ParseFrom(bytes), facts);
                break;
            case "protos.DeliverResponse":
                AssertDeliverResponse(PeerDeliverResponse.Parser.ParseFrom(bytes), facts);
                break;
            case "common.Envelope":
                AssertEnvelope(Envelope.Parser.ParseFrom(bytes), facts);
                break;
            case "common.Block":
                AssertBlock(Block.Parser.ParseFrom(bytes), facts);
                break;
            case "orderer.BroadcastResponse":
                var response = BroadcastResponse.Parser.ParseFrom(bytes);
                Assert.Equal(facts.GetProperty("status_value").GetInt32(), (int)response.Status);
                Assert.Equal(facts.Str("info"), response.Info);
                break;
            default:
                Assert.Fail($"no fact checks for {entry.Str("message_type")}");
                break;
        }
    }

    [Fact]
    public void Put_success_response_has_status_200_and_an_endorsement()
    {
        var r = ProposalResponse.Parser.ParseFrom(Fixtures.Captured("pr-put-success-peer0.org1.bin"));

        Assert.Equal(1, r.Version);
        Assert.Equal(200, r.Response.Status);
        Assert.NotNull(r.Endorsement);
        Assert.Equal("Org1MSP", SerializedIdentity.Parser.ParseFrom(r.Endorsement!.Endorser).Mspid);
        var action = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(r.Payload).Extension);
        var chaincodeEvent = Protos.Peer.ChaincodeEvent.Parser.ParseFrom(action.Events);
        Assert.Equal("Put", chaincodeEvent.EventName);
        Assert.Equal("fx-k1", chaincodeEvent.Payload.ToStringUtf8());
    }

    [Fact]
    public void Chaincode_failure_has_status_500_a_payload_and_no_endorsement()
    {
        var r = ProposalResponse.Parser.ParseFrom(Fixtures.Captured("pr-fail-500-peer0.org1.bin"));

        Assert.Equal(0, r.Version);
        Assert.Equal(500, r.Response.Status);
        Assert.Equal("boom from fixture", r.Response.Message);
        Assert.Null(r.Endorsement);
        Assert.False(r.Payload.IsEmpty);
    }

    [Fact]
    public void Mvcc_block_holds_a_valid_and_a_conflicting_transaction()
    {
        var block = PeerDeliverResponse.Parser.ParseFrom(Fixtures.Captured("deliverfiltered-mvcc-peer0.org1-1.bin")).FilteredBlock;

        Assert.Equal(
            [TxValidationCode.Valid, TxValidationCode.MvccReadConflict],
            block.FilteredTransactions.Select(t => t.TxValidationCode).ToArray());
    }

    [Fact]
    public void Endorsement_policy_failure_and_duplicate_txid_are_reported_with_their_events()
    {
        var epf = PeerDeliverResponse.Parser.ParseFrom(Fixtures.Captured("deliverfiltered-epf-peer0.org1-1.bin")).FilteredBlock.FilteredTransactions.Single();
        var duplicate = PeerDeliverResponse.Parser.ParseFrom(Fixtures.Captured("deliverfiltered-duplicate-peer0.org1-1.bin")).FilteredBlock.FilteredTransactions.Single();

        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, epf.TxValidationCode);
        Assert.Equal(TxValidationCode.DuplicateTxid, duplicate.TxValidationCode);
        Assert.Equal("135b7bf1a80a7da5ebf8c47e2751d1938992c81aeb1814928b87cb1a290e8c46", duplicate.Txid);
        Assert.Equal("Put", epf.TransactionActions.ChaincodeActions.Single().ChaincodeEvent.EventName);
    }

    [Fact]
    public void Filtered_blocks_carry_event_names_but_never_payloads()
    {
        var events = Fixtures.CapturedEntries()
            .Where(e => e.Str("message_type") == "protos.DeliverResponse")
            .Select(e => PeerDeliverResponse.Parser.ParseFrom(Fixtures.Captured(e.Str("file"))))
            .Where(r => r.TypeCase == PeerDeliverResponse.TypeOneofCase.FilteredBlock)
            .SelectMany(r => r.FilteredBlock.FilteredTransactions)
            .SelectMany(t => t.TransactionActions?.ChaincodeActions ?? [])
            .Select(a => a.ChaincodeEvent)
            .ToList();

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.NotEmpty(e.EventName));
        Assert.All(events, e => Assert.True(e.Payload.IsEmpty));
    }

    [Theory]
    [InlineData("deliver-status-not-found-channel.bin", Status.NotFound)]
    [InlineData("deliver-status-bad-request-old-timestamp.bin", Status.BadRequest)]
    [InlineData("deliver-status-forbidden-high-s-signature.bin", Status.Forbidden)]
    [InlineData("deliver-status-forbidden-msp-not-in-channel.bin", Status.Forbidden)]
    [InlineData("deliver-block-put-status-success.bin", Status.Success)]
    public void Deliver_statuses_decode(string file, Status status)
    {
        var r = PeerDeliverResponse.Parser.ParseFrom(Fixtures.Captured(file));

        Assert.Equal(PeerDeliverResponse.TypeOneofCase.Status, r.TypeCase);
        Assert.Equal(status, r.Status);
    }

    [Fact]
    public void Broadcast_success_is_status_200()
    {
        Assert.Equal(Status.Success, BroadcastResponse.Parser.ParseFrom(Fixtures.Captured("broadcast-success.bin")).Status);
        Assert.Equal(new byte[] { 0x08, 0xc8, 0x01 }, Fixtures.Captured("broadcast-success.bin"));
    }

    private static void AssertProposalResponse(ProposalResponse r, JsonElement facts)
    {
        if (facts.TryGetProperty("version", out var version))
        {
            Assert.Equal(version.GetInt32(), r.Version);
        }

        Assert.Equal(facts.GetProperty("response_status").GetInt32(), r.Response.Status);
        Assert.Equal(facts.Str("response_message"), r.Response.Message);
        if (facts.TryGetProperty("response_payload_utf8", out var payloadText))
        {
            Assert.Equal(payloadText.GetString(), r.Response.Payload.ToStringUtf8());
        }

        if (facts.TryGetProperty("config_len", out var configLength))
        {
            Assert.Equal(configLength.GetInt32(), r.Response.Payload.Length);
        }

        if (facts.TryGetProperty("has_endorsement", out var hasEndorsement))
        {
            Assert.Equal(hasEndorsement.GetBoolean(), r.Endorsement is not null);
        }

        if (facts.TryGetProperty("has_payload", out var hasPayload))
        {
            Assert.Equal(hasPayload.GetBoolean(), !r.Payload.IsEmpty);
        }

        if (facts.TryGetProperty("has_timestamp", out var hasTimestamp))
        {
            Assert.Equal(hasTimestamp.GetBoolean(), r.Timestamp is not null);
        }

        if (facts.TryGetProperty("endorser_mspid", out var endorser))
        {
            Assert.Equal(endorser.GetString(), SerializedIdentity.Parser.ParseFrom(r.Endorsement!.Endorser).Mspid);
        }

        if (facts.TryGetProperty("chaincode_action_response_status", out var actionStatus))
        {
            var action = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(r.Payload).Extension);
            Assert.Equal(actionStatus.GetInt32(), action.Response.Status);
            if (facts.TryGetProperty("chaincode_event", out var expectedEvent))
            {
                AssertEvent(expectedEvent, Protos.Peer.ChaincodeEvent.Parser.ParseFrom(action.Events));
            }
        }
    }

    private static void AssertSignedProposal(SignedProposal signed, JsonElement facts)
    {
        var proposal = Protos.Peer.Proposal.Parser.ParseFrom(signed.ProposalBytes);
        var channelHeader = ChannelHeader.Parser.ParseFrom(Header.Parser.ParseFrom(proposal.Header).ChannelHeader);
        Assert.Equal(facts.Str("txid"), channelHeader.TxId);
        if (facts.TryGetProperty("channel_id", out var channel))
        {
            Assert.Equal(channel.GetString(), channelHeader.ChannelId);
        }

        if (facts.TryGetProperty("header_type", out var headerType))
        {
            Assert.Equal(headerType.GetString(), ProtoEnumName((HeaderType)channelHeader.Type));
        }
    }

    private static void AssertEnvelope(Envelope envelope, JsonElement facts)
    {
        if (facts.EnumerateObject().All(p => p.Name == "peer"))
        {
            return; // nothing recorded beyond the peer (e.g. the deliberately malformed payload)
        }

        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        var channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
        if (facts.TryGetProperty("txid", out var txid))
        {
            Assert.Equal(txid.GetString(), channelHeader.TxId);
        }

        if (facts.TryGetProperty("tx_id", out var seekTxId))
        {
            Assert.Equal(seekTxId.GetString(), channelHeader.TxId);
        }

        if (facts.TryGetProperty("tls_cert_hash_hex", out var hash))
        {
            Assert.Equal(hash.GetString(), Convert.ToHexStringLower(channelHeader.TlsCertHash.Span));
        }

        if (facts.TryGetProperty("timestamp_seconds", out var seconds))
        {
            Assert.Equal(seconds.GetInt64(), channelHeader.Timestamp.Seconds);
            Assert.Equal(facts.GetProperty("timestamp_nanos").GetInt32(), channelHeader.Timestamp.Nanos);
        }

        if (facts.TryGetProperty("start", out var start))
        {
            var seek = SeekInfo.Parser.ParseFrom(payload.Data);
            Assert.Equal(start.GetUInt64(), seek.Start.Specified.Number);
            Assert.Equal(facts.GetProperty("stop").GetUInt64(), seek.Stop.Specified.Number);
        }

        if (facts.TryGetProperty("endorsement_order", out var order))
        {
            var action = ChaincodeActionPayload.Parser.ParseFrom(Protos.Peer.Transaction.Parser.ParseFrom(payload.Data).Actions.Single().Payload).Action;
            var expectedMspIds = order.EnumerateArray().Select(p => p.GetString() switch
            {
                "peer0.org1" => "Org1MSP",
                "peer0.org2" => "Org2MSP",
                var other => other,
            });
            Assert.Equal(expectedMspIds, action.Endorsements.Select(e => SerializedIdentity.Parser.ParseFrom(e.Endorser).Mspid));
        }
    }

    private static void AssertDeliverResponse(PeerDeliverResponse r, JsonElement facts)
    {
        if (facts.TryGetProperty("filtered_transactions", out var transactions))
        {
            Assert.Equal(PeerDeliverResponse.TypeOneofCase.FilteredBlock, r.TypeCase);
            Assert.Equal(facts.Str("channel_id"), r.FilteredBlock.ChannelId);
            Assert.Equal(facts.GetProperty("block_number").GetUInt64(), r.FilteredBlock.Number);
            var expected = transactions.EnumerateArray().ToList();
            Assert.Equal(expected.Count, r.FilteredBlock.FilteredTransactions.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                var e = expected[i];
                var t = r.FilteredBlock.FilteredTransactions[i];
                Assert.Equal(e.Str("txid"), t.Txid);
                Assert.Equal(e.Str("type"), ProtoEnumName(t.Type));
                Assert.Equal(e.GetProperty("validation_code_value").GetInt32(), (int)t.TxValidationCode);
                Assert.Equal(e.GetProperty("transaction_actions_present").GetBoolean(), t.DataCase == FilteredTransaction.DataOneofCase.TransactionActions);
                var events = e.GetProperty("chaincode_events").EnumerateArray().ToList();
                var actions = t.TransactionActions?.ChaincodeActions.ToList() ?? [];
                Assert.Equal(events.Count, actions.Count);
                for (var j = 0; j < events.Count; j++)
                {
                    AssertEvent(events[j], actions[j].ChaincodeEvent);
                    Assert.Equal(events[j].GetProperty("payload_len").GetInt32(), actions[j].ChaincodeEvent.Payload.Length);
                }
            }
        }
        else if (facts.TryGetProperty("status_value", out var status))
        {
            Assert.Equal(PeerDeliverResponse.TypeOneofCase.Status, r.TypeCase);
            Assert.Equal(status.GetInt32(), (int)r.Status);
        }
        else
        {
            Assert.Equal(PeerDeliverResponse.TypeOneofCase.Block, r.TypeCase);
            AssertBlock(r.Block, facts);
        }
    }

    private static void AssertBlock(Block block, JsonElement facts)
    {
        Assert.Equal(facts.GetProperty("block_number").GetUInt64(), block.Header.Number);
        Assert.Equal(facts.GetProperty("tx_count").GetInt32(), block.Data.Data.Count);
        Assert.Equal(facts.GetProperty("metadata_count").GetInt32(), block.Metadata.Metadata.Count);
        Assert.Equal(facts.Str("transactions_filter_hex"), Convert.ToHexStringLower(block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].Span));
        Assert.Equal(facts.Str("previous_hash"), Convert.ToHexStringLower(block.Header.PreviousHash.Span));
        Assert.Equal(facts.Str("data_hash"), Convert.ToHexStringLower(block.Header.DataHash.Span));

        var envelope = Envelope.Parser.ParseFrom(block.Data.Data[0]);
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        Assert.Equal(facts.Str("txid"), ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader).TxId);
        if (facts.GetProperty("envelope_equals_broadcast_envelope").GetBoolean())
        {
            Assert.Equal(Fixtures.Captured("broadcast-success-request-envelope.bin"), block.Data.Data[0].ToByteArray());
        }

        var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(Protos.Peer.Transaction.Parser.ParseFrom(payload.Data).Actions.Single().Payload);
        var action = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action.ProposalResponsePayload).Extension);
        AssertEvent(facts.GetProperty("chaincode_event"), Protos.Peer.ChaincodeEvent.Parser.ParseFrom(action.Events));
    }

    private static void AssertEvent(JsonElement expected, Protos.Peer.ChaincodeEvent actual)
    {
        Assert.Equal(expected.Str("event_name"), actual.EventName);
        Assert.Equal(expected.Str("tx_id"), actual.TxId);
        Assert.Equal(expected.Str("chaincode_id"), actual.ChaincodeId);
        if (expected.TryGetProperty("payload_utf8", out var payload))
        {
            Assert.Equal(payload.GetString(), actual.Payload.ToStringUtf8());
        }
    }

    /// <summary>The proto enum value name (ENDORSER_TRANSACTION), from the generated C# name (EndorserTransaction).</summary>
    private static string ProtoEnumName<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                sb.Append('_');
            }

            sb.Append(char.ToUpperInvariant(name[i]));
        }

        return sb.ToString();
    }

    /// <summary>Byte fields that themselves hold messages, parsed and paired with their bytes for a deeper re-encode check.</summary>
    private static IEnumerable<(byte[] Bytes, IMessage Message)> NestedMessages(IMessage message)
    {
        var strict = new Func<MessageParser, ByteString, (byte[], IMessage)>((p, b) => (b.ToByteArray(), p.WithDiscardUnknownFields(true).ParseFrom(b)));
        switch (message)
        {
            case SignedProposal sp:
                var proposal = Protos.Peer.Proposal.Parser.ParseFrom(sp.ProposalBytes);
                yield return strict(Protos.Peer.Proposal.Parser, sp.ProposalBytes);
                foreach (var n in HeaderParts(proposal.Header))
                {
                    yield return n;
                }

                break;
            case ProposalResponse { Payload.IsEmpty: false } pr:
                var prp = ProposalResponsePayload.Parser.ParseFrom(pr.Payload);
                yield return strict(ProposalResponsePayload.Parser, pr.Payload);
                yield return strict(ChaincodeAction.Parser, prp.Extension);
                break;
            case Envelope env:
                var payload = Payload.Parser.ParseFrom(env.Payload);
                yield return strict(Payload.Parser, env.Payload);
                yield return strict(ChannelHeader.Parser, payload.Header.ChannelHeader);
                yield return strict(SignatureHeader.Parser, payload.Header.SignatureHeader);
                break;
        }
    }

    private static IEnumerable<(byte[] Bytes, IMessage Message)> HeaderParts(ByteString headerBytes)
    {
        var header = Header.Parser.ParseFrom(headerBytes);
        yield return (headerBytes.ToByteArray(), Header.Parser.WithDiscardUnknownFields(true).ParseFrom(headerBytes));
        yield return (header.ChannelHeader.ToByteArray(), ChannelHeader.Parser.WithDiscardUnknownFields(true).ParseFrom(header.ChannelHeader));
        yield return (header.SignatureHeader.ToByteArray(), SignatureHeader.Parser.WithDiscardUnknownFields(true).ParseFrom(header.SignatureHeader));
    }
}
