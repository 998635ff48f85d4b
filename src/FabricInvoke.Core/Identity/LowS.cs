using System.Formats.Asn1;
using Org.BouncyCastle.Math;

namespace FabricInvoke.Core.Identity;

/// <summary>
/// Low-S normalisation of DER ECDSA signatures. Fabric peers and orderers reject a signature whose S is in the
/// upper half of the curve order (it is the malleable twin of a valid one), so every signature we send has
/// S ≤ n/2.
/// </summary>
internal static class LowS
{
    /// <summary>Returns the signature with S replaced by n − S when S &gt; n/2; otherwise the same DER bytes.</summary>
    /// <exception cref="ArgumentException">The bytes are not a DER <c>SEQUENCE{INTEGER r, INTEGER s}</c> with positive values.</exception>
    public static byte[] Normalize(byte[] derSignature, BigInteger curveOrder)
    {
        ArgumentNullException.ThrowIfNull(derSignature);
        ArgumentNullException.ThrowIfNull(curveOrder);
        var (r, s) = Decode(derSignature);
        if (s.CompareTo(curveOrder.ShiftRight(1)) <= 0)
        {
            return derSignature;
        }

        return Encode(r, curveOrder.Subtract(s));
    }

    /// <summary>True when S ≤ n/2.</summary>
    /// <exception cref="ArgumentException">The bytes are not a DER ECDSA signature.</exception>
    public static bool IsLowS(ReadOnlySpan<byte> derSignature, BigInteger curveOrder)
    {
        ArgumentNullException.ThrowIfNull(curveOrder);
        var (_, s) = Decode(derSignature);
        return s.CompareTo(curveOrder.ShiftRight(1)) <= 0;
    }

    /// <summary>Decodes a DER <c>SEQUENCE{INTEGER r, INTEGER s}</c>.</summary>
    /// <exception cref="ArgumentException">Malformed, trailing data, or a non-positive value.</exception>
    public static (BigInteger R, BigInteger S) Decode(ReadOnlySpan<byte> derSignature)
    {
        try
        {
            var reader = new AsnReader(derSignature.ToArray(), AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var r = new BigInteger(sequence.ReadIntegerBytes().ToArray());
            var s = new BigInteger(sequence.ReadIntegerBytes().ToArray());
            sequence.ThrowIfNotEmpty();
            reader.ThrowIfNotEmpty();
            if (r.SignValue <= 0 || s.SignValue <= 0)
            {
                throw new ArgumentException("ECDSA signature values must be positive", nameof(derSignature));
            }

            return (r, s);
        }
        catch (AsnContentException e)
        {
            throw new ArgumentException("not a DER ECDSA signature", nameof(derSignature), e);
        }
    }

    /// <summary>Encodes <c>SEQUENCE{INTEGER r, INTEGER s}</c> in minimal DER, as Go's asn1.Marshal does.</summary>
    public static byte[] Encode(BigInteger r, BigInteger s)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(s);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(r.ToByteArray());
            writer.WriteInteger(s.ToByteArray());
        }

        return writer.Encode();
    }
}
