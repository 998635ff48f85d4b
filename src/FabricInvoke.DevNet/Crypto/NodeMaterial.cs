using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Protos.Msp;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>
/// One MSP identity as loaded from its cryptogen folder: the signing certificate PEM (exactly the file bytes), its key,
/// and the TLS certificate/key/CA files next to it.
/// </summary>
internal sealed class NodeMaterial(
    string name,
    string mspId,
    string directory,
    byte[] signingCertificatePem,
    ECDsa signingKey,
    string tlsCertificateFile,
    string tlsKeyFile,
    string tlsCaFile) : IDisposable
{
    // ECDsa instances are not documented as thread-safe; a peer signs concurrent endorsements with one key.
    private readonly Lock _keyGate = new();

    /// <summary>"peer0.org1.example.com", "User1@org1.example.com".</summary>
    public string Name { get; } = name;

    public string MspId { get; } = mspId;

    /// <summary>The folder holding <c>msp/</c> and <c>tls/</c>.</summary>
    public string Directory { get; } = directory;

    public string MspDirectory => Path.Combine(Directory, "msp");

    public string TlsCertificateFile { get; } = tlsCertificateFile;

    public string TlsKeyFile { get; } = tlsKeyFile;

    public string TlsCaFile { get; } = tlsCaFile;

    /// <summary>The marshalled <c>msp.SerializedIdentity</c> this identity signs as.</summary>
    public byte[] SerializedIdentity { get; } = new SerializedIdentity { Mspid = mspId, IdBytes = ByteString.CopyFrom(signingCertificatePem) }.ToByteArray();

    /// <summary>Low-S ECDSA signature over SHA-256(<paramref name="data"/>).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        lock (_keyGate)
        {
            return EcdsaSignatures.Sign(signingKey, data);
        }
    }

    /// <summary>The TLS certificate with its private key, usable by Kestrel.</summary>
    public X509Certificate2 LoadTlsCertificate()
    {
        using var pem = X509Certificate2.CreateFromPemFile(TlsCertificateFile, TlsKeyFile);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform. In memory and without a
        // password, one key-derivation iteration does as well as the default 2,000, at a fraction of the cost (docs/performance.md).
        var inProcess = new PbeParameters(PbeEncryptionAlgorithm.TripleDes3KeyPkcs12, HashAlgorithmName.SHA1, 1);
        return X509CertificateLoader.LoadPkcs12(pem.ExportPkcs12(inProcess, null), null);
    }

    /// <summary>The public API view of this identity.</summary>
    public DevIdentity ToDevIdentity() => new(MspId, MspDirectory, TlsCertificateFile, TlsKeyFile, TlsCaFile);

    public void Dispose()
    {
        lock (_keyGate)
        {
            signingKey.Dispose();
        }
    }
}
