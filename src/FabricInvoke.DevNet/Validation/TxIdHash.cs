using System.Security.Cryptography;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Validation;

/// <summary>Fabric's transaction ID: lowercase hex of SHA-256(nonce ‖ creator).</summary>
internal static class TxIdHash
{
    public static string Compute(ByteString nonce, ByteString creator)
    {
        var buffer = new byte[nonce.Length + creator.Length];
        nonce.Span.CopyTo(buffer);
        creator.Span.CopyTo(buffer.AsSpan(nonce.Length));
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }
}
