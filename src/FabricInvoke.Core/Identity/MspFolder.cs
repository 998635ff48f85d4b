using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Identity;

/// <summary>Loads a signing identity from a Fabric MSP folder (cryptogen or fabric-ca layout).</summary>
internal static class MspFolder
{
    /// <summary>
    /// Reads the first certificate file of <c>signcerts/</c> and the key in <c>keystore/</c> whose public key matches it
    /// (Fabric's file keystore matches by key, not by file name).
    /// </summary>
    /// <param name="mspConfigPath">The MSP folder (CORE_PEER_MSPCONFIGPATH).</param>
    /// <param name="mspId">The MSP id (CORE_PEER_LOCALMSPID).</param>
    /// <exception cref="FabricInvokeException">
    /// Config, naming the folder or file: missing folder, no certificate, not a certificate, empty keystore, no matching key,
    /// an encrypted key or one that is neither EC (P-256, P-384) nor Ed25519, or a file that cannot be read: not a regular file (a device, a FIFO), over its size
    /// limit, a symbolic link loop, not readable (see <see cref="BoundedFile"/>; this holds for cacerts/ too).
    /// </exception>
    public static SigningIdentity Load(string mspConfigPath, string mspId)
    {
        ArgumentNullException.ThrowIfNull(mspConfigPath);
        ArgumentNullException.ThrowIfNull(mspId);
        if (!Directory.Exists(mspConfigPath))
        {
            throw Failures.Config(mspConfigPath, "MSP folder does not exist or cannot be accessed");
        }

        var signcerts = Path.Combine(mspConfigPath, "signcerts");
        var certFiles = IdentityFiles.ListFiles(signcerts);
        if (certFiles is null || certFiles.Count == 0)
        {
            throw Failures.Config(signcerts, "no signing certificate found in the MSP signcerts folder");
        }

        var certFile = certFiles[0];
        var (certificate, certificateKey) = SigningIdentity.ParseCertificate(
            BoundedFile.ReadText(certFile, "signing certificate", FileLimit.Certificates), certFile);
        using (certificateKey)
        {
            var (key, keyFile) = FindKey(Path.Combine(mspConfigPath, "keystore"), certificateKey, certFile, certificate);
            try
            {
                // Fabric 3's cryptogen issues Ed25519 identities from an ECDSA CA: the issuer's curve is what counts.
                var issuerOrder = IssuerCurveOrder(mspConfigPath, certificate) ?? certificateKey.CurveOrder;
                var serialized = issuerOrder is null ? certificate.RawData : CertificateSanitizer.Sanitize(certificate.RawData, issuerOrder);
                return new SigningIdentity(mspId, certificate, serialized, key, keyFile);
            }
            catch
            {
                key.Dispose();
                certificate.Dispose();
                throw;
            }
        }
    }

    private static (SigningKey Key, string File) FindKey(string keystore, CertificateKey certificateKey, string certFile, X509Certificate2 certificate)
    {
        var keyFiles = IdentityFiles.ListFiles(keystore);
        if (keyFiles is null || keyFiles.Count == 0)
        {
            certificate.Dispose();
            throw Failures.Config(keystore, "no private key found in the MSP keystore folder");
        }

        FabricInvokeException? firstProblem = null;
        var validKeys = 0;
        foreach (var keyFile in keyFiles)
        {
            SigningKey key;
            try
            {
                key = SigningKey.Parse(BoundedFile.ReadText(keyFile, "private key file", FileLimit.PrivateKey), keyFile);
            }
            catch (FabricInvokeException e)
            {
                firstProblem ??= e;
                continue;
            }

            validKeys++;
            if (key.Matches(certificateKey))
            {
                return (key, keyFile);
            }

            key.Dispose();
        }

        certificate.Dispose();
        if (validKeys == 0 && firstProblem is not null)
        {
            // The only candidates were unusable: say why, naming the file.
            throw firstProblem;
        }

        var skipped = firstProblem is null ? string.Empty : $" (also skipped: {firstProblem.Message})";
        throw Failures.Config(keystore, $"no private key in the MSP keystore matches the signing certificate {certFile}{skipped}");
    }

    /// <summary>The curve order of the CA key that issued <paramref name="certificate"/>, when the MSP folder has it.</summary>
    /// <exception cref="FabricInvokeException">
    /// Config: a CA file cannot be read at all (a device, a FIFO, over the size limit, unreadable). One that can be read
    /// but holds nothing usable only costs the exact sanitisation curve, as before.
    /// </exception>
    private static Org.BouncyCastle.Math.BigInteger? IssuerCurveOrder(string mspConfigPath, X509Certificate2 certificate)
    {
        foreach (var folder in new[] { "cacerts", "intermediatecerts" })
        {
            var files = IdentityFiles.ListFiles(Path.Combine(mspConfigPath, folder));
            if (files is null)
            {
                continue;
            }

            foreach (var file in files)
            {
                var order = TryIssuerOrder(file, certificate);
                if (order is not null)
                {
                    return order;
                }
            }
        }

        return null;
    }

    private static Org.BouncyCastle.Math.BigInteger? TryIssuerOrder(string file, X509Certificate2 certificate)
    {
        // Refused files are errors like any other file of the MSP folder: Fabric's own MSP set-up fails on them too.
        var text = BoundedFile.ReadText(file, "CA certificate file", FileLimit.Certificates);
        try
        {
            foreach (var block in PemText.Parse(text))
            {
                if (block.Label != "CERTIFICATE" || block.Data is not { } der)
                {
                    continue;
                }

                using var ca = X509CertificateLoader.LoadCertificate(der);
                if (!ca.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
                {
                    continue;
                }

                using var caKey = ca.GetECDsaPublicKey();
                if (caKey is not null)
                {
                    return EcKeys.CurveOrder(caKey);
                }
            }
        }
        catch (CryptographicException)
        {
            // A CA file we cannot use only costs the exact sanitisation curve; fall back to the certificate's own.
        }

        return null;
    }
}
