using Google.Protobuf;

namespace FabricInvoke.Core.Transactions;

/// <summary>
/// Hand encoding of <c>ChaincodeProposalPayload</c>. The transient map must be written in the caller's order (the
/// Go CLI's order is Go's random map order, recorded by the fixtures), with both key and value always present, so
/// we do not leave it to a generated map field.
/// </summary>
internal static class ProposalWire
{
    private const int InputField = 1;
    private const int TransientMapField = 2;
    private const int MapKeyField = 1;
    private const int MapValueField = 2;

    /// <summary><c>ChaincodeProposalPayload{input[1], TransientMap[2]}</c>.</summary>
    public static ByteString ChaincodeProposalPayload(ByteString input, IReadOnlyList<KeyValuePair<string, byte[]>> transient)
    {
        var size = input.IsEmpty ? 0 : CodedOutputStream.ComputeTagSize(InputField) + CodedOutputStream.ComputeBytesSize(input);
        var entries = new (ByteString Value, int Size)[transient.Count];
        for (var i = 0; i < transient.Count; i++)
        {
            var value = ByteString.CopyFrom(transient[i].Value);
            var entrySize = EntrySize(transient[i].Key, value);
            entries[i] = (value, entrySize);
            size += CodedOutputStream.ComputeTagSize(TransientMapField) + CodedOutputStream.ComputeLengthSize(entrySize) + entrySize;
        }

        var buffer = new byte[size];
        var output = new CodedOutputStream(buffer);
        if (!input.IsEmpty)
        {
            output.WriteTag(InputField, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(input);
        }

        for (var i = 0; i < transient.Count; i++)
        {
            output.WriteTag(TransientMapField, WireFormat.WireType.LengthDelimited);
            output.WriteLength(entries[i].Size);
            output.WriteTag(MapKeyField, WireFormat.WireType.LengthDelimited);
            output.WriteString(transient[i].Key);
            output.WriteTag(MapValueField, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(entries[i].Value);
        }

        output.CheckNoSpaceLeft();
        return ByteString.CopyFrom(buffer);
    }

    /// <summary><c>ChaincodeProposalPayload{input}</c>: the payload as it goes into the transaction.</summary>
    public static ByteString PayloadWithoutTransient(ByteString input) => ChaincodeProposalPayload(input, []);

    private static int EntrySize(string key, ByteString value) =>
        CodedOutputStream.ComputeTagSize(MapKeyField) + CodedOutputStream.ComputeStringSize(key)
        + CodedOutputStream.ComputeTagSize(MapValueField) + CodedOutputStream.ComputeBytesSize(value);
}
