using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>The consistency checks start-up applies to the crypto material it loads.</summary>
internal static class MaterialChecks
{
    /// <summary>
    /// True when <paramref name="certificate"/> chains to <paramref name="ca"/> (is <paramref name="ca"/> itself when
    /// self-signed). Validity dates are not checked: an expired test identity is still the CA's.
    /// </summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid;
        try
        {
            return chain.Build(certificate)
                && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(ca.RawData);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="key"/> is the private key of <paramref name="certificate"/>'s public key.</summary>
    public static bool KeyMatches(X509Certificate2 certificate, ECDsa key)
    {
        using var publicKey = certificate.GetECDsaPublicKey();
        if (publicKey is null)
        {
            return false;
        }

        try
        {
            var expected = publicKey.ExportParameters(includePrivateParameters: false);
            var actual = key.ExportParameters(includePrivateParameters: false);
            return expected.Q.X.AsSpan().SequenceEqual(actual.Q.X) && expected.Q.Y.AsSpan().SequenceEqual(actual.Q.Y)
                && expected.Curve.Oid.Value == actual.Curve.Oid.Value;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
