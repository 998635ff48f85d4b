using FabricInvoke.Core.Identity;
using Google.Protobuf;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// golden.json kind "commit_status_request". There is no gateway proto in the tree yet, so the request is encoded by
/// hand here (field 1 transaction_id, 2 channel_id, 3 identity); this pins the bytes a future Gateway mode must send.
/// </summary>
public sealed class GoldenCommitStatusTests
{
    public static TheoryData<string> Cases => Fixtures.GoldenCaseNames("commit_status_request");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Request_bytes_and_identity_are_rebuilt_and_the_signature_verifies(string name)
    {
        var c = Fixtures.GoldenCase(name);
        var inputs = c.GetProperty("inputs");
        var expected = c.GetProperty("expected");
        var identity = MspFolder.Load(Fixtures.Org1Msp, inputs.Str("mspid"));
        Assert.Equal(expected.B64("identity"), identity.Creator);

        var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString(inputs.Str("transaction_id"));
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(inputs.Str("channel_id"));
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(identity.Creator));
        output.Flush();

        Assert.Equal(expected.B64("request"), buffer.ToArray());
        Fixtures.AssertValidLowSSignature(identity.Certificate, expected.B64("request"), expected.B64("signature"));
    }
}
