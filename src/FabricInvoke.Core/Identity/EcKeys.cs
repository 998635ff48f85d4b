using System.Formats.Asn1;
using System.Security.Cryptography;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Identity;

/// <summary>Private key parsing (PKCS#8 and SEC1 PEM) and the curves Fabric's default crypto provider accepts.</summary>
internal static class EcKeys
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string P384Oid = "1.3.132.0.34";

    /// <summary>The key types a signing identity may have (<see cref="SigningKey.Parse"/> takes the Ed25519 ones).</summary>
    private const string SigningAlgorithms = "ECDSA P-256/P-384 and Ed25519";

    /// <summary>Parses the first private key in <paramref name="pem"/>; it must be on a curve Fabric signs with (P-256, P-384).</summary>
    /// <param name="pem">PEM text.</param>
    /// <param name="source">The file (or description) named in errors.</param>
    /// <exception cref="FabricInvokeException">Config: encrypted, not EC, unsupported curve, malformed, or no private key.</exception>
    public static ECDsa Parse(string pem, string source)
    {
        var key = ParseAnyCurve(pem, source, SigningAlgorithms);
        if (!IsSupportedCurve(key))
        {
            key.Dispose();
            throw Failures.Config(source, "unsupported EC curve (only P-256 and P-384 are supported)");
        }

        return key;
    }

    /// <summary>
    /// Parses the first private key in <paramref name="pem"/> (PKCS#8 <c>PRIVATE KEY</c> or SEC1 <c>EC PRIVATE KEY</c>),
    /// on any curve the platform knows: TLS client keys are not bound to Fabric's signing curves.
    /// </summary>
    /// <inheritdoc cref="Parse" path="/param"/>
    /// <exception cref="FabricInvokeException">Config: encrypted, not EC, malformed, or no private key.</exception>
    /// <param name="supported">What a key of another algorithm is told is supported.</param>
    public static ECDsa ParseAnyCurve(string pem, string source, string supported = "ECDSA P-256 and P-384")
    {
        ArgumentNullException.ThrowIfNull(pem);
        ArgumentNullException.ThrowIfNull(source);
        var blocks = PemText.Parse(pem);

        // Encryption is reported before anything else in the file: "decrypt it" is the one thing to do.
        if (blocks.Any(IsEncrypted))
        {
            throw Failures.Config(source, "encrypted private keys are not supported (decrypt the key, e.g. with openssl pkcs8 or openssl ec)");
        }

        var damagedKey = false;
        foreach (var block in blocks)
        {
            if (block.Data is not { } data)
            {
                damagedKey |= block.Label.EndsWith("PRIVATE KEY", StringComparison.Ordinal);
                continue;
            }

            switch (block.Label)
            {
                case "PRIVATE KEY":
                    var algorithm = Pkcs8Algorithm(data, source);
                    if (algorithm != EcPublicKeyOid)
                    {
                        throw Failures.Config(source, $"private key is not an EC key (algorithm {DescribeAlgorithm(algorithm)}); only {supported} keys are supported");
                    }

                    return Import(source, k => k.ImportPkcs8PrivateKey(data, out _));
                case "EC PRIVATE KEY":
                    return Import(source, k => k.ImportECPrivateKey(data, out _));
                case "RSA PRIVATE KEY":
                    throw Failures.Config(source, $"private key is not an EC key (RSA); only {supported} keys are supported");
                case "DSA PRIVATE KEY":
                    throw Failures.Config(source, $"private key is not an EC key (DSA); only {supported} keys are supported");
                default:
                    // e.g. "EC PARAMETERS" that openssl writes before the key.
                    continue;
            }
        }

        throw damagedKey
            ? Failures.Config(source, "private key file holds malformed PEM")
            : Failures.Config(source, "no PEM private key found");
    }

    /// <summary>PKCS#8 <c>ENCRYPTED PRIVATE KEY</c>, or an old OpenSSL key with a <c>Proc-Type: 4,ENCRYPTED</c> header.</summary>
    private static bool IsEncrypted(PemBlock block) =>
        block.Label == "ENCRYPTED PRIVATE KEY"
        || (block.Header("Proc-Type") is { } procType && procType.Contains("ENCRYPTED", StringComparison.OrdinalIgnoreCase));

    /// <summary>The curve order n, for low-S normalisation.</summary>
    public static Org.BouncyCastle.Math.BigInteger CurveOrder(ECDsa key)
    {
        var explicitParameters = key.ExportExplicitParameters(false);
        return new Org.BouncyCastle.Math.BigInteger(1, explicitParameters.Curve.Order!);
    }

    /// <summary>True for the curves Fabric's SW provider signs with (P-256, P-384).</summary>
    public static bool IsSupportedCurve(ECDsa key) => CurveName(key) is not null;

    /// <summary>"P-256", "P-384", or null for another curve.</summary>
    public static string? CurveName(ECDsa key)
    {
        var curve = key.ExportParameters(false).Curve;
        if (curve.IsNamed && curve.Oid is { } oid)
        {
            if (oid.Value == P256Oid || oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1")
            {
                return "P-256";
            }

            if (oid.Value == P384Oid || oid.FriendlyName is "nistP384" or "ECDSA_P384" or "secp384r1")
            {
                return "P-384";
            }
        }

        return null;
    }

    /// <summary>True when both keys hold the same public point on the same curve.</summary>
    public static bool SamePublicKey(ECDsa a, ECDsa b)
    {
        var pa = a.ExportParameters(false);
        var pb = b.ExportParameters(false);
        return CurveName(a) == CurveName(b)
            && pa.Q.X.AsSpan().SequenceEqual(pb.Q.X)
            && pa.Q.Y.AsSpan().SequenceEqual(pb.Q.Y);
    }

    private static ECDsa Import(string source, Action<ECDsa> import)
    {
        var key = ECDsa.Create();
        try
        {
            import(key);
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            // A curve OID the platform does not know (a damaged or exotic key) is PlatformNotSupportedException.
            key.Dispose();
            throw Failures.Config(source, "cannot parse EC private key", e);
        }

        return key;
    }

    /// <summary>The algorithm OID of a PKCS#8 <c>PrivateKeyInfo</c>.</summary>
    /// <exception cref="FabricInvokeException">Config: not a PKCS#8 structure.</exception>
    internal static string Pkcs8Algorithm(byte[] data, string source)
    {
        try
        {
            // PrivateKeyInfo ::= SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier, privateKey OCTET STRING, ... }
            var reader = new AsnReader(data, AsnEncodingRules.BER);
            var info = reader.ReadSequence();
            _ = info.ReadIntegerBytes();
            var algorithm = info.ReadSequence();
            return algorithm.ReadObjectIdentifier();
        }
        catch (AsnContentException e)
        {
            throw Failures.Config(source, "cannot parse PKCS#8 private key", e);
        }
    }

    private static string DescribeAlgorithm(string oid) => oid switch
    {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.113549.1.1.10" => "RSA-PSS",
        "1.2.840.10040.4.1" => "DSA",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        _ => oid,
    };
}
