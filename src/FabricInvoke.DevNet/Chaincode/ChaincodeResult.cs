using Google.Protobuf;

namespace FabricInvoke.DevNet.Chaincode;

/// <summary>What a chaincode function returned: a status (200 = success, ≥ 400 = error), a message and a payload.</summary>
internal sealed record ChaincodeResult(int Status, string Message, ByteString Payload)
{
    public static ChaincodeResult Success(ByteString payload) => new(200, "", payload);

    public static ChaincodeResult Error(string message) => new(500, message, ByteString.Empty);
}
