using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Protos.Orderer;
using FabricInvoke.Protos.Peer;
using FabricInvoke.Robustness.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;
using DeliverResponse = FabricInvoke.Protos.Peer.DeliverResponse;

namespace FabricInvoke.Robustness.Tests;

/// <summary>Bytes from the network: a message or InvalidProtocolBufferException, and whatever parses can be rendered.</summary>
public sealed class WireProperties
{
    private static readonly byte[] GoodProposalResponse = RawPeer.GoodProposalResponse().ToByteArray();

    private static readonly byte[] GoodDeliverResponse = new DeliverResponse
    {
        FilteredBlock = new FilteredBlock
        {
            ChannelId = "mychannel",
            Number = 6,
            FilteredTransactions = { new FilteredTransaction { Txid = new string('a', 64), TxValidationCode = TxValidationCode.MvccReadConflict } },
        },
    }.ToByteArray();

    private static readonly byte[] GoodBroadcastResponse = new BroadcastResponse { Status = FabricInvoke.Protos.Common.Status.Success, Info = "ok" }.ToByteArray();

    private static Gen<byte[]> Wire(byte[] good) => Gen.Frequency((1, Generators.Bytes(300)), (2, Generators.Corrupt(good)));

    private static T? ParseOrReject<T>(MessageParser<T> parser, byte[] bytes)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    [Property(MaxTest = 500)]
    public Property ProposalResponse_bytes_parse_or_are_rejected_and_render() =>
        Prop.ForAll(Wire(GoodProposalResponse).ToArbitrary(), bytes =>
        {
            if (ParseOrReject(ProposalResponse.Parser, bytes)?.Response is { } r)
            {
                Assertions.AssertOneLine("x" + ProtoText.Response(r.Status, r.Message, r.Payload.Span));
            }
        });

    [Property(MaxTest = 500)]
    public Property DeliverResponse_bytes_parse_or_are_rejected_and_render() =>
        Prop.ForAll(Wire(GoodDeliverResponse).ToArbitrary(), bytes =>
        {
            var response = ParseOrReject(DeliverResponse.Parser, bytes);
            if (response?.TypeCase == DeliverResponse.TypeOneofCase.Status)
            {
                Assert.NotEmpty(FabricNames.Of(response.Status));
            }

            foreach (var tx in response?.FilteredBlock?.FilteredTransactions ?? [])
            {
                Assert.NotEmpty(FabricNames.Of(tx.TxValidationCode));
            }
        });

    [Property(MaxTest = 500)]
    public Property BroadcastResponse_bytes_parse_or_are_rejected_and_render() =>
        Prop.ForAll(Wire(GoodBroadcastResponse).ToArbitrary(), bytes =>
        {
            if (ParseOrReject(BroadcastResponse.Parser, bytes) is { } response)
            {
                Assert.NotEmpty(FabricNames.Of(response.Status));
            }
        });
}
