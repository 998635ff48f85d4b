using System.Security.Cryptography;
using FabricInvoke.Core.Errors;
using Org.BouncyCastle.Crypto.Parameters;

namespace FabricInvoke.Core.Identity;

/// <summary>
/// The private key of a signing identity: ECDSA P-256/P-384 (SHA-256, DER, low-S, as Fabric's default provider) or
/// Ed25519 (Fabric 3: the message itself is signed). Owns the key; thread-safe.
/// </summary>
internal sealed class SigningKey : ISigner, IDisposable
{
    private readonly ECDsa? _ecdsa;
    private readonly Org.BouncyCastle.Math.BigInteger? _curveOrder;
    private readonly Ed25519PrivateKeyParameters? _ed25519;
    private readonly Lock _signLock = new();

    public SigningKey(ECDsa key)
    {
        _ecdsa = key;
        _curveOrder = EcKeys.CurveOrder(key);
    }

    public SigningKey(Ed25519PrivateKeyParameters key)
    {
        _ed25519 = key;
    }

    /// <summary>"ECDSA P-256", "ECDSA P-384" or "Ed25519".</summary>
    public string Algorithm => _ecdsa is { } key ? $"ECDSA {EcKeys.CurveName(key)}" : "Ed25519";

    /// <summary>The signature Fabric verifies for this key type over <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        if (_ed25519 is { } ed25519)
        {
            return Ed25519Keys.Sign(ed25519, message);
        }

        var digest = SHA256.HashData(message);
        byte[] der;
        lock (_signLock)
        {
            der = _ecdsa!.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);
        }

        return LowS.Normalize(der, _curveOrder!);
    }

    /// <summary>True when this is the private key of <paramref name="publicKey"/>.</summary>
    public bool Matches(CertificateKey publicKey) =>
        _ecdsa is { } ecdsa
            ? publicKey.Ecdsa is { } certificateEcdsa && EcKeys.SamePublicKey(ecdsa, certificateEcdsa)
            : publicKey.Ed25519 is { } raw && Ed25519Keys.PublicKey(_ed25519!).AsSpan().SequenceEqual(raw);

    /// <summary>
    /// Parses the first private key in <paramref name="pem"/>: a PKCS#8 Ed25519 key, or an EC key on a curve Fabric
    /// signs with (P-256, P-384; PKCS#8 or SEC1).
    /// </summary>
    /// <param name="pem">PEM text.</param>
    /// <param name="source">The file (or description) named in errors.</param>
    /// <exception cref="FabricInvokeException">Config: encrypted, another algorithm, unsupported curve, malformed, or no private key.</exception>
    public static SigningKey Parse(string pem, string source)
    {
        ArgumentNullException.ThrowIfNull(pem);
        ArgumentNullException.ThrowIfNull(source);
        foreach (var block in PemText.Parse(pem))
        {
            if (!block.Label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
            {
                continue;
            }

            // The first key block decides, as in EcKeys (which also reports encrypted, damaged and foreign keys).
            if (block.Label == "PRIVATE KEY" && block.Data is { } data && block.Header("Proc-Type") is null
                && EcKeys.Pkcs8Algorithm(data, source) == Ed25519Keys.Oid)
            {
                return new SigningKey(Ed25519Keys.ParsePkcs8(data, source));
            }

            break;
        }

        return new SigningKey(EcKeys.Parse(pem, source));
    }

    public void Dispose() => _ecdsa?.Dispose();
}

/// <summary>The public key of a signing certificate: ECDSA on P-256/P-384, or Ed25519 (its raw 32 bytes).</summary>
internal sealed class CertificateKey : IDisposable
{
    public CertificateKey(ECDsa key) => Ecdsa = key;

    public CertificateKey(byte[] ed25519) => Ed25519 = ed25519;

    public ECDsa? Ecdsa { get; }

    public byte[]? Ed25519 { get; }

    /// <summary>The curve order of an ECDSA key (for low-S), null for Ed25519.</summary>
    public Org.BouncyCastle.Math.BigInteger? CurveOrder => Ecdsa is { } key ? EcKeys.CurveOrder(key) : null;

    public void Dispose() => Ecdsa?.Dispose();
}
