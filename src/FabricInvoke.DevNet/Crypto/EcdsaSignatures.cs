using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>
/// ECDSA P-256 over SHA-256 the way Fabric uses it: DER <c>SEQUENCE{r, s}</c> signatures whose S lies in the lower
/// half of the curve order. Signing normalises S; verification refuses high-S and anything that is not DER.
/// </summary>
internal static class EcdsaSignatures
{
    /// <summary>The order n of the P-256 group.</summary>
    private static readonly BigInteger Order = BigInteger.Parse(
        "0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        System.Globalization.NumberStyles.HexNumber,
        System.Globalization.CultureInfo.InvariantCulture);

    private static readonly BigInteger HalfOrder = Order >> 1;

    /// <summary>Signs SHA-256(<paramref name="data"/>) and returns a low-S DER signature.</summary>
    public static byte[] Sign(ECDsa key, ReadOnlySpan<byte> data)
    {
        var der = key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var (r, s) = Decode(der) ?? throw new CryptographicException("ECDSA produced an unparsable signature.");
        return s > HalfOrder ? Encode(r, Order - s) : der;
    }

    /// <summary>True when <paramref name="signature"/> is a DER, low-S ECDSA signature of SHA-256(<paramref name="data"/>).</summary>
    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var parts = Decode(signature);
        if (parts is not var (r, s) || r.Sign <= 0 || s.Sign <= 0 || s > HalfOrder)
        {
            return false;
        }

        return publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>True when the DER signature's S is in the lower half of the order.</summary>
    public static bool IsLowS(ReadOnlySpan<byte> signature) => Decode(signature) is var (_, s) && s <= HalfOrder;

    /// <summary>The same signature with S replaced by n - S (what a non-normalising signer could produce).</summary>
    public static byte[] ToHighS(ReadOnlySpan<byte> signature)
    {
        var (r, s) = Decode(signature) ?? throw new ArgumentException("Not a DER ECDSA signature.", nameof(signature));
        return Encode(r, s > HalfOrder ? s : Order - s);
    }

    private static (BigInteger R, BigInteger S)? Decode(ReadOnlySpan<byte> der)
    {
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var r = sequence.ReadInteger();
            var s = sequence.ReadInteger();
            sequence.ThrowIfNotEmpty();
            reader.ThrowIfNotEmpty();
            return (r, s);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static byte[] Encode(BigInteger r, BigInteger s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(r);
            writer.WriteInteger(s);
        }

        return writer.Encode();
    }
}
