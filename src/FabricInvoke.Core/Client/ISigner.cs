namespace FabricInvoke.Core;

/// <summary>
/// Signs messages for one identity the way Fabric verifies its key type. Implementations: <see cref="Signers"/>
/// (ECDSA P-256/P-384 with low-S, Ed25519); an HSM can plug in here. A
/// signer may also implement <see cref="IDisposable"/>; whoever created it disposes it. Must be thread-safe: one
/// client signs for many concurrent callers.
/// </summary>
public interface ISigner
{
    /// <summary>
    /// The signature of <paramref name="message"/>. ECDSA: over SHA-256 of the message, DER <c>SEQUENCE{r, s}</c> with S
    /// in the low half of the curve order. Ed25519: over the message itself.
    /// </summary>
    /// <param name="message">The bytes to sign (a proposal, a transaction payload, a request).</param>
    /// <returns>The signature Fabric verifies.</returns>
    byte[] Sign(ReadOnlySpan<byte> message);
}

/// <summary>Creates the built-in <see cref="ISigner"/>s from private keys.</summary>
public static class Signers
{
    /// <summary>
    /// A signer for an unencrypted PEM private key: PKCS#8 or SEC1 EC on P-256 or P-384 (SHA-256, low-S), or PKCS#8
    /// Ed25519. The result is <see cref="IDisposable"/>: dispose it when done.
    /// </summary>
    /// <param name="privateKeyPem">PEM text of the key.</param>
    /// <returns>A thread-safe signer that owns the key.</returns>
    /// <exception cref="Errors.FabricInvokeException">Config: encrypted, another algorithm or curve, malformed, or no key.</exception>
    public static ISigner FromPem(string privateKeyPem)
    {
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        return Identity.SigningKey.Parse(privateKeyPem, "private key PEM");
    }

    /// <summary>
    /// A signer for the key of an MSP folder (<c>signcerts/</c> and the matching key in <c>keystore/</c>), as the peer
    /// CLI loads CORE_PEER_MSPCONFIGPATH; the key must match the certificate. The result is <see cref="IDisposable"/>:
    /// dispose it when done. The identity that goes with it: <see cref="ClientIdentity.FromMspFolder"/>.
    /// </summary>
    /// <param name="mspConfigPath">The MSP folder.</param>
    /// <param name="mspId">The MSP id.</param>
    /// <returns>A thread-safe signer that owns the key.</returns>
    /// <exception cref="Errors.FabricInvokeException">Config, naming the folder or file at fault.</exception>
    public static ISigner FromMspFolder(string mspConfigPath, string mspId) => Identity.MspFolder.Load(mspConfigPath, mspId);
}

/// <summary>
/// Who a client acts as: its MSP id and its certificate (the public part; signing is an <see cref="ISigner"/>'s job).
/// </summary>
public sealed class ClientIdentity
{
    /// <summary>An identity from an MSP id and a certificate.</summary>
    /// <param name="mspId">The MSP id, e.g. <c>Org1MSP</c>.</param>
    /// <param name="certificatePem">PEM text; the first CERTIFICATE block (ECDSA P-256/P-384 or Ed25519 key) is used.</param>
    /// <exception cref="Errors.FabricInvokeException">Config: not a usable certificate.</exception>
    public static ClientIdentity FromPem(string mspId, string certificatePem)
    {
        ArgumentException.ThrowIfNullOrEmpty(mspId);
        ArgumentNullException.ThrowIfNull(certificatePem);
        var (certificate, key) = Identity.SigningIdentity.ParseCertificate(certificatePem, "certificate PEM");
        using (key)
        {
            var serialized = key.CurveOrder is { } order ? Identity.CertificateSanitizer.Sanitize(certificate.RawData, order) : certificate.RawData;
            return new ClientIdentity(mspId, certificate, Identity.SigningIdentity.SerializeCreator(mspId, serialized));
        }
    }

    /// <summary>The identity of an MSP folder: its MSP id and the certificate in <c>signcerts/</c>.</summary>
    /// <param name="mspConfigPath">The MSP folder.</param>
    /// <param name="mspId">The MSP id.</param>
    /// <returns>The identity (its signer: <see cref="Signers.FromMspFolder"/>).</returns>
    /// <exception cref="Errors.FabricInvokeException">Config, naming the folder or file at fault.</exception>
    public static ClientIdentity FromMspFolder(string mspConfigPath, string mspId)
    {
        using var loaded = Identity.MspFolder.Load(mspConfigPath, mspId);
        return loaded.Identity;
    }

    internal ClientIdentity(string mspId, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, byte[] creator)
    {
        MspId = mspId;
        Certificate = certificate;
        Creator = creator;
    }

    /// <summary>The MSP id.</summary>
    public string MspId { get; }

    /// <summary>The certificate (public part only).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate { get; }

    /// <summary>Marshalled <c>msp.SerializedIdentity</c>: what proposals name as their creator.</summary>
    internal byte[] Creator { get; }
}
