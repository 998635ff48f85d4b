using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Errors;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace FabricInvoke.Core.Identity;

/// <summary>
/// Ed25519 identities, which Fabric 3 MSPs accept (cryptogen 3.0 issues them): the key is PKCS#8 (RFC 8410), the
/// certificate's public key is the 32 raw bytes, and a signature is Ed25519 over the message itself — no pre-hash and
/// no low-S rule (Fabric verifies with Go's crypto/ed25519). BouncyCastle does the arithmetic: .NET has no Ed25519.
/// </summary>
internal static class Ed25519Keys
{
    /// <summary>id-Ed25519 (RFC 8410), the algorithm of both the key and the certificate's public key.</summary>
    public const string Oid = "1.3.101.112";

    private const int KeyLength = 32;

    /// <summary>The certificate's raw 32-byte Ed25519 public key, or null when its key is of another algorithm.</summary>
    /// <exception cref="FabricInvokeException">Config: an Ed25519 public key that is not 32 bytes.</exception>
    public static byte[]? CertificatePublicKey(X509Certificate2 certificate, string source)
    {
        if (certificate.PublicKey.Oid.Value != Oid)
        {
            return null;
        }

        var raw = certificate.PublicKey.EncodedKeyValue.RawData;
        return raw.Length == KeyLength ? raw : throw Failures.Config(source, "the certificate's Ed25519 public key is malformed");
    }

    /// <summary>Parses a PKCS#8 <c>PrivateKeyInfo</c> whose algorithm is id-Ed25519.</summary>
    /// <exception cref="FabricInvokeException">Config: malformed, or parameters present (RFC 8410 forbids them).</exception>
    public static Ed25519PrivateKeyParameters ParsePkcs8(byte[] der, string source)
    {
        try
        {
            // PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier { id-Ed25519 }, privateKey OCTET STRING
            // { CurvePrivateKey ::= OCTET STRING (32 bytes) }, [0] attributes OPTIONAL, [1] publicKey OPTIONAL }
            var reader = new AsnReader(der, AsnEncodingRules.BER);
            var info = reader.ReadSequence();
            _ = info.ReadIntegerBytes();
            var algorithm = info.ReadSequence();
            if (algorithm.ReadObjectIdentifier() != Oid || algorithm.HasData)
            {
                throw Failures.Config(source, "cannot parse Ed25519 private key (unexpected algorithm parameters)");
            }

            var inner = new AsnReader(info.ReadOctetString(), AsnEncodingRules.BER);
            var seed = inner.ReadOctetString();
            inner.ThrowIfNotEmpty();
            if (seed.Length != KeyLength)
            {
                throw Failures.Config(source, $"cannot parse Ed25519 private key ({seed.Length} bytes, expected {KeyLength})");
            }

            return new Ed25519PrivateKeyParameters(seed);
        }
        catch (AsnContentException e)
        {
            throw Failures.Config(source, "cannot parse Ed25519 private key", e);
        }
    }

    /// <summary>The raw public key of <paramref name="key"/>.</summary>
    public static byte[] PublicKey(Ed25519PrivateKeyParameters key) => key.GeneratePublicKey().GetEncoded();

    /// <summary>Ed25519 (pure, RFC 8032) signature of <paramref name="message"/>: 64 bytes, deterministic.</summary>
    public static byte[] Sign(Ed25519PrivateKeyParameters key, ReadOnlySpan<byte> message)
    {
        // One signer per signature: Ed25519Signer buffers the message, so it is not shareable between threads.
        var signer = new Ed25519Signer();
        signer.Init(forSigning: true, key);
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    /// <summary>True when <paramref name="signature"/> is a valid Ed25519 signature of <paramref name="message"/> by <paramref name="publicKey"/>.</summary>
    public static bool Verify(byte[] publicKey, ReadOnlySpan<byte> message, byte[] signature)
    {
        if (publicKey.Length != KeyLength)
        {
            return false;
        }

        var verifier = new Ed25519Signer();
        verifier.Init(forSigning: false, new Ed25519PublicKeyParameters(publicKey));
        verifier.BlockUpdate(message);
        return verifier.VerifySignature(signature);
    }
}
