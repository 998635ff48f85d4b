using Google.Protobuf;

namespace FabricInvoke.DevNet.Chaincode;

/// <summary>What a chaincode function returned: a status (200 = success, ≥ 400 = error), a message and a payload.</summary>
internal sealed record ChaincodeResponse(int Status, string Message, ByteString Payload)
{
    public static ChaincodeResponse Success(ByteString payload) => new(200, "", payload);

    public static ChaincodeResponse Error(string message) => new(500, message, ByteString.Empty);
}
