using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Msp;
using Google.Protobuf;

namespace FabricInvoke.Core.Identity;

/// <summary>
/// An MSP signing identity: MSP id, creator bytes, and the <see cref="ISigner"/> that signs for it — its own ECDSA
/// (P-256, P-384) or Ed25519 key when loaded from files (then disposing it disposes the key), or one given.
/// </summary>
internal sealed class SigningIdentity : ISigner, IDisposable
{
    private readonly ISigner? _signer;
    private readonly bool _ownsSigner;

    internal SigningIdentity(string mspId, X509Certificate2 certificate, byte[] serializedCertificateDer, SigningKey key, string? keyFile = null)
    {
        MspId = mspId;
        Certificate = certificate;
        KeyFile = keyFile;
        _signer = key;
        _ownsSigner = true;
        KeyAlgorithm = key.Algorithm;
        Creator = SerializeCreator(mspId, serializedCertificateDer);
    }

    /// <summary>An identity whose signatures come from <paramref name="signer"/> (not owned; null: signing fails, for offline signing).</summary>
    internal SigningIdentity(ClientIdentity identity, ISigner? signer)
    {
        MspId = identity.MspId;
        Certificate = identity.Certificate;
        Creator = identity.Creator;
        _signer = signer;
        KeyAlgorithm = signer is SigningKey key ? key.Algorithm : signer is SigningIdentity other ? other.KeyAlgorithm : "external";
    }

    /// <summary>This identity without its signer: the MSP id and certificate.</summary>
    public ClientIdentity Identity => new(MspId, Certificate, Creator);

    /// <summary>
    /// Loads an identity from an MSP folder (<c>signcerts/</c>, the matching key in <c>keystore/</c>, <c>cacerts/</c>),
    /// as the peer CLI does with CORE_PEER_MSPCONFIGPATH. Dispose it when done.
    /// </summary>
    /// <param name="mspConfigPath">The MSP folder.</param>
    /// <param name="mspId">The MSP id.</param>
    /// <returns>The identity, owning its key.</returns>
    /// <exception cref="FabricInvokeException">Config, naming the folder or file at fault.</exception>
    public static SigningIdentity FromMspFolder(string mspConfigPath, string mspId) => MspFolder.Load(mspConfigPath, mspId);

    /// <summary>The MSP id, e.g. <c>Org1MSP</c>.</summary>
    public string MspId { get; }

    /// <summary>
    /// Marshalled <c>msp.SerializedIdentity{mspid, id_bytes}</c>, where id_bytes is the signing certificate as Go PEM
    /// (64-character lines, <c>\n</c>, trailing newline) — exactly what the Go peer CLI puts in SignatureHeader.creator.
    /// </summary>
    internal byte[] Creator { get; }

    /// <summary>The signing certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// The file the private key was read from (the matching <c>keystore/</c> file when loaded from an MSP folder), so a
    /// front end can check who may read it; null when the key came from memory.
    /// </summary>
    public string? KeyFile { get; }


    /// <summary>The key type: "ECDSA P-256", "ECDSA P-384", "Ed25519", or "external" for a signer given from outside.</summary>
    public string KeyAlgorithm { get; }

    /// <summary>
    /// Signs <paramref name="message"/> the way Fabric verifies this identity's key type. ECDSA: SHA-256 of the message
    /// (Fabric's default hash family, also for P-384 keys), DER <c>SEQUENCE{r, s}</c> with S normalised to the low
    /// half of the curve order. Ed25519: the 64-byte signature of the message itself (no pre-hash, no low-S).
    /// </summary>
    /// <exception cref="InvalidOperationException">The identity has no signer (its client signs offline).</exception>
    public byte[] Sign(ReadOnlySpan<byte> message) =>
        (_signer ?? throw new InvalidOperationException("this client has no signer: sign the proposal and the transaction offline")).Sign(message);

    /// <summary>Disposes the key when this identity loaded it; a signer given from outside stays its owner's.</summary>
    public void Dispose()
    {
        if (_ownsSigner && _signer is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>
    /// Builds an identity from a PEM certificate and a PEM private key (unencrypted: PKCS#8 or SEC1 EC on P-256 or
    /// P-384, or PKCS#8 Ed25519).
    /// </summary>
    /// <param name="mspId">The MSP id.</param>
    /// <param name="certificatePem">PEM text; the first CERTIFICATE block is used.</param>
    /// <param name="privateKeyPem">PEM text of the private key.</param>
    /// <param name="keySource">Names the key file in errors.</param>
    /// <exception cref="FabricInvokeException">Config: bad certificate, bad key, or the key does not match the certificate.</exception>
    public static SigningIdentity FromPem(string mspId, string certificatePem, string privateKeyPem, string? keySource = null)
    {
        ArgumentNullException.ThrowIfNull(mspId);
        ArgumentNullException.ThrowIfNull(certificatePem);
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        var source = keySource ?? "private key PEM";
        var (certificate, certificateKey) = ParseCertificate(certificatePem, "certificate PEM");
        using (certificateKey)
        {
            var key = SigningKey.Parse(privateKeyPem, source);
            if (!key.Matches(certificateKey))
            {
                key.Dispose();
                certificate.Dispose();
                throw Failures.Config(source, "private key does not match the signing certificate");
            }

            // Without the CA at hand, assume the issuer signs on the certificate key's curve (true for cryptogen and
            // fabric-ca set-ups; an Ed25519 certificate is taken as it is); MspFolder.Load uses the real issuer from cacerts.
            var serialized = certificateKey.CurveOrder is { } order ? CertificateSanitizer.Sanitize(certificate.RawData, order) : certificate.RawData;
            return new SigningIdentity(mspId, certificate, serialized, key);
        }
    }

    /// <summary>Marshalled <c>msp.SerializedIdentity{mspid, id_bytes = Go PEM of the certificate DER}</c>.</summary>
    internal static byte[] SerializeCreator(string mspId, ReadOnlySpan<byte> certificateDer) =>
        new SerializedIdentity
        {
            Mspid = mspId,
            IdBytes = ByteString.CopyFrom(PemText.EncodeGoStyle("CERTIFICATE", certificateDer)),
        }.ToByteArray();

    /// <summary>Parses the first CERTIFICATE block; the certificate must carry an ECDSA P-256/P-384 or an Ed25519 public key.</summary>
    /// <exception cref="FabricInvokeException">Config, naming <paramref name="source"/>.</exception>
    internal static (X509Certificate2 Certificate, CertificateKey PublicKey) ParseCertificate(string pem, string source)
    {
        var der = PemText.FindFirst(PemText.Parse(pem), "CERTIFICATE", out var damaged);
        if (der is null)
        {
            throw Failures.Config(source, damaged ? "not a PEM certificate (malformed PEM)" : "not a PEM certificate (no CERTIFICATE block)");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw Failures.Config(source, "not a valid X.509 certificate", e);
        }

        ECDsa? publicKey;
        try
        {
            if (Ed25519Keys.CertificatePublicKey(certificate, source) is { } ed25519)
            {
                return (certificate, new CertificateKey(ed25519));
            }

            publicKey = certificate.GetECDsaPublicKey();
        }
        catch (FabricInvokeException)
        {
            certificate.Dispose();
            throw;
        }
        catch (CryptographicException e)
        {
            certificate.Dispose();
            throw Failures.Config(source, "cannot read the certificate's public key", e);
        }

        if (publicKey is null)
        {
            certificate.Dispose();
            throw Failures.Config(source, "the certificate holds neither an ECDSA nor an Ed25519 public key; only ECDSA P-256/P-384 and Ed25519 identities are supported");
        }

        if (!EcKeys.IsSupportedCurve(publicKey))
        {
            publicKey.Dispose();
            certificate.Dispose();
            throw Failures.Config(source, "the certificate's key uses an unsupported curve (only P-256 and P-384 are supported)");
        }

        return (certificate, new CertificateKey(publicKey));
    }
}
