using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>
/// Ed25519 the way Fabric 3 uses it (Go's crypto/ed25519): pure Ed25519 over the message itself, 64-byte signatures,
/// 32-byte keys; PKCS#8 keys and X.509 public keys as RFC 8410 writes them (cryptogen 3.0's Ed25519 identities).
/// .NET has no Ed25519, so BouncyCastle does the arithmetic.
/// </summary>
internal static class Ed25519Signatures
{
    public const string Oid = "1.3.101.112";

    private const int KeyLength = 32;

    /// <summary>A new key pair.</summary>
    public static Ed25519PrivateKeyParameters Generate() => new(new Org.BouncyCastle.Security.SecureRandom());

    /// <summary>True when <paramref name="signature"/> is <paramref name="publicKey"/>'s Ed25519 signature of <paramref name="data"/>.</summary>
    public static bool Verify(byte[] publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != KeyLength || signature.Length != 2 * KeyLength)
        {
            return false;
        }

        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKey));
        verifier.BlockUpdate(data);
        return verifier.VerifySignature(signature.ToArray());
    }

    /// <summary>The certificate's raw Ed25519 public key, or null when it holds another kind of key.</summary>
    public static byte[]? PublicKeyOf(X509Certificate2 certificate)
    {
        if (certificate.PublicKey.Oid.Value != Oid)
        {
            return null;
        }

        var raw = certificate.PublicKey.EncodedKeyValue.RawData;
        return raw.Length == KeyLength ? raw : null;
    }

    /// <summary>The X.509 public key for <paramref name="key"/>, for a certificate request.</summary>
    public static PublicKey CertificatePublicKey(Ed25519PrivateKeyParameters key)
    {
        // SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier { id-Ed25519 } (no parameters), BIT STRING key }
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oid);
            }

            writer.WriteBitString(key.GeneratePublicKey().GetEncoded());
        }

        return PublicKey.CreateFromSubjectPublicKeyInfo(writer.Encode(), out _);
    }

    /// <summary>PKCS#8 <c>PrivateKeyInfo</c> DER (RFC 8410), as cryptogen 3.0 writes <c>priv_sk</c>.</summary>
    public static byte[] Pkcs8(Ed25519PrivateKeyParameters key)
    {
        var inner = new AsnWriter(AsnEncodingRules.DER);
        inner.WriteOctetString(key.GetEncoded());
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oid);
            }

            writer.WriteOctetString(inner.Encode());
        }

        return writer.Encode();
    }

    /// <summary>Reads a PKCS#8 Ed25519 key; null when the DER is not one.</summary>
    public static Ed25519PrivateKeyParameters? FromPkcs8(byte[] der)
    {
        try
        {
            var info = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            _ = info.ReadInteger();
            if (info.ReadSequence().ReadObjectIdentifier() != Oid)
            {
                return null;
            }

            var seed = new AsnReader(info.ReadOctetString(), AsnEncodingRules.BER).ReadOctetString();
            return seed.Length == KeyLength ? new Ed25519PrivateKeyParameters(seed) : null;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="key"/> is the private key of <paramref name="certificate"/>.</summary>
    public static bool KeyMatches(X509Certificate2 certificate, Ed25519PrivateKeyParameters key) =>
        PublicKeyOf(certificate) is { } raw && raw.AsSpan().SequenceEqual(key.GeneratePublicKey().GetEncoded());
}
