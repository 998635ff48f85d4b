using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>Reads and writes PEM files the way cryptogen does: 64-column base64, <c>\n</c> line ends, trailing newline.</summary>
internal static class PemFiles
{
    /// <summary>Go-style PEM of a certificate (these exact bytes become <c>SerializedIdentity.id_bytes</c>).</summary>
    public static string CertificatePem(X509Certificate2 certificate) => Pem("CERTIFICATE", certificate.RawData);

    /// <summary>PKCS#8 <c>PRIVATE KEY</c> PEM of an EC key, as cryptogen writes <c>priv_sk</c>.</summary>
    public static string PrivateKeyPem(ECDsa key) => Pem("PRIVATE KEY", key.ExportPkcs8PrivateKey());

    public static void WriteCertificate(string path, X509Certificate2 certificate) => Write(path, CertificatePem(certificate));

    /// <summary>Writes the key readable by its owner only (0600), as a private key file should be.</summary>
    public static void WritePrivateKey(string path, ECDsa key) => Write(path, PrivateKeyPem(key), privateFile: true);

    public static X509Certificate2 ReadCertificate(string path) => X509Certificate2.CreateFromPem(File.ReadAllText(path));

    public static ECDsa ReadPrivateKey(string path)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        return key;
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

    private static void Write(string path, string content, bool privateFile = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        if (privateFile && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
