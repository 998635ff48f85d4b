using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FabricInvoke.DevNet.Storage;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>Reads and writes PEM files the way cryptogen does: 64-column base64, <c>\n</c> line ends, trailing newline.</summary>
internal static class PemFiles
{
    /// <summary>No PEM file of the material is anywhere near this; a bound on what is read.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Go-style PEM of a certificate (these exact bytes become <c>SerializedIdentity.id_bytes</c>).</summary>
    public static string CertificatePem(X509Certificate2 certificate) => Pem("CERTIFICATE", certificate.RawData);

    /// <summary>PKCS#8 <c>PRIVATE KEY</c> PEM of an EC key, as cryptogen writes <c>priv_sk</c>.</summary>
    public static string PrivateKeyPem(ECDsa key) => Pem("PRIVATE KEY", key.ExportPkcs8PrivateKey());

    /// <summary>Writes atomically (temporary file, then rename), so a reader never sees half a PEM.</summary>
    public static void WriteCertificate(string path, X509Certificate2 certificate) => Write(path, CertificatePem(certificate));

    /// <summary>Writes the key readable by its owner only (0600), as a private key file should be.</summary>
    public static void WritePrivateKey(string path, ECDsa key) => Write(path, PrivateKeyPem(key), privateFile: true);

    /// <summary>Writes an Ed25519 key as PKCS#8 <c>PRIVATE KEY</c> PEM (0600), as cryptogen 3.0 writes <c>priv_sk</c>.</summary>
    public static void WritePrivateKey(string path, Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters key) =>
        Write(path, Pem("PRIVATE KEY", Ed25519Signatures.Pkcs8(key)), privateFile: true);

    /// <exception cref="DevNetMaterialException">Missing, unreadable, or not a PEM Ed25519 private key.</exception>
    public static Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters ReadEd25519PrivateKey(string path)
    {
        var text = Encoding.UTF8.GetString(ReadBytes(path));
        try
        {
            var fields = PemEncoding.Find(text);
            if (text[fields.Label] == "PRIVATE KEY" && Ed25519Signatures.FromPkcs8(Convert.FromBase64String(text[fields.Base64Data])) is { } key)
            {
                return key;
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new DevNetMaterialException(path, "not a PEM Ed25519 private key", e);
        }

        throw new DevNetMaterialException(path, "not a PEM Ed25519 private key");
    }

    /// <summary>The file's exact bytes (bounded).</summary>
    /// <exception cref="DevNetMaterialException">Missing, unreadable or too large.</exception>
    public static byte[] ReadBytes(string path)
    {
        try
        {
            return BoundedFileReader.Read(path, MaxBytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DevNetMaterialException(path, "missing", e);
        }
        catch (InvalidDataException e)
        {
            throw new DevNetMaterialException(path, $"not a PEM file ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DevNetMaterialException(path, $"cannot be read ({e.Message})", e);
        }
    }

    /// <exception cref="DevNetMaterialException">Missing, unreadable, or not one PEM certificate.</exception>
    public static X509Certificate2 ReadCertificate(string path) => ParseCertificate(path, ReadBytes(path));

    /// <exception cref="DevNetMaterialException">Not a PEM certificate.</exception>
    public static X509Certificate2 ParseCertificate(string path, byte[] pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(pem));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new DevNetMaterialException(path, "not a PEM certificate", e);
        }
    }

    /// <exception cref="DevNetMaterialException">Missing, unreadable, or not a PEM EC private key.</exception>
    public static ECDsa ReadPrivateKey(string path)
    {
        var text = Encoding.UTF8.GetString(ReadBytes(path));
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(text);
            return key;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new DevNetMaterialException(path, "not a PEM EC private key", e);
        }
    }

    private static string Pem(string label, byte[] der)
    {
        var text = new StringBuilder();
        text.Append("-----BEGIN ").Append(label).Append("-----\n");
        var base64 = Convert.ToBase64String(der);
        for (var i = 0; i < base64.Length; i += 64)
        {
            text.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
        }

        text.Append("-----END ").Append(label).Append("-----\n");
        return text.ToString();
    }

    private static void Write(string path, string content, bool privateFile = false) =>
        AtomicFile.Write(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content), privateFile);
}
