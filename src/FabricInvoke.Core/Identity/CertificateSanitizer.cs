using System.Formats.Asn1;
using Org.BouncyCastle.Math;

namespace FabricInvoke.Core.Identity;

/// <summary>
/// Fabric's MSP "sanitises" an ECDSA-signed certificate before serialising it into a creator: when the issuer's
/// signature on it has a high S, the certificate is re-encoded with the low-S twin of that signature. The creator
/// (and so the txid) carries the re-encoded certificate, so we do the same to stay byte-compatible.
/// </summary>
internal static class CertificateSanitizer
{
    /// <summary>Returns the DER Fabric would serialise: unchanged, or re-encoded with a low-S issuer signature.</summary>
    /// <param name="certificateDer">The certificate.</param>
    /// <param name="issuerCurveOrder">The order of the curve of the issuer's key (the key that signed the certificate).</param>
    public static byte[] Sanitize(byte[] certificateDer, BigInteger issuerCurveOrder)
    {
        try
        {
            var reader = new AsnReader(certificateDer, AsnEncodingRules.DER);
            var certificate = reader.ReadSequence();
            var tbs = certificate.ReadEncodedValue();
            var algorithm = certificate.ReadEncodedValue();
            var signature = certificate.ReadBitString(out var unusedBits);
            certificate.ThrowIfNotEmpty();
            if (unusedBits != 0 || !IsEcdsaSignatureAlgorithm(algorithm))
            {
                return certificateDer;
            }

            var lowS = LowS.Normalize(signature, issuerCurveOrder);
            if (ReferenceEquals(lowS, signature))
            {
                return certificateDer;
            }

            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(tbs.Span);
                writer.WriteEncodedValue(algorithm.Span);
                writer.WriteBitString(lowS);
            }

            return writer.Encode();
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException)
        {
            // Not something we can re-encode; Fabric would refuse it during MSP setup, the peer will tell.
            return certificateDer;
        }
    }

    private static bool IsEcdsaSignatureAlgorithm(ReadOnlyMemory<byte> algorithmIdentifier)
    {
        var reader = new AsnReader(algorithmIdentifier, AsnEncodingRules.DER);
        var oid = reader.ReadSequence().ReadObjectIdentifier();
        return oid.StartsWith("1.2.840.10045.4.", StringComparison.Ordinal);
    }
}
