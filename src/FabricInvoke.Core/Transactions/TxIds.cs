using System.Security.Cryptography;

namespace FabricInvoke.Core.Transactions;

/// <summary>Nonces and transaction ids, as Fabric's protoutil computes them.</summary>
internal static class TxIds
{
    /// <summary>The nonce length Fabric uses.</summary>
    public const int NonceLength = 24;

    /// <summary>24 cryptographically random bytes.</summary>
    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceLength);

    /// <summary>Lowercase hex of SHA-256(nonce ‖ creator).</summary>
    public static string Compute(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> creator)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(nonce);
        hash.AppendData(creator);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }
}
