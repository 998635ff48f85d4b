using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FabricInvoke.Core.Identity;

namespace FabricInvoke.Core.Tests;

/// <summary>Access to the copied real-network fixtures (Fixtures/NOTES.md).</summary>
internal static class Fixtures
{
    private static readonly Lazy<JsonDocument> GoldenDocument = new(() => JsonDocument.Parse(File.ReadAllBytes(PathOf("golden.json"))));
    private static readonly Lazy<JsonDocument> IndexDocument = new(() => JsonDocument.Parse(File.ReadAllBytes(PathOf("captured/index.json"))));

    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>A fixture path; JSON paths are relative to the fixtures folder.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Org1Msp => PathOf("identities/org1-user1/msp");

    public static string Org2Msp => PathOf("identities/org2-user1/msp");

    public static JsonElement GoldenCase(string name)
    {
        foreach (var c in GoldenDocument.Value.RootElement.EnumerateArray())
        {
            if (c.GetProperty("name").GetString() == name)
            {
                return c;
            }
        }

        throw new ArgumentException($"no golden case {name}", nameof(name));
    }

    /// <summary>MemberData rows: the names of every golden case of <paramref name="kind"/>.</summary>
    public static TheoryData<string> GoldenCaseNames(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var c in GoldenDocument.Value.RootElement.EnumerateArray())
        {
            if (c.GetProperty("kind").GetString() == kind)
            {
                data.Add(c.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    public static IEnumerable<JsonElement> CapturedEntries() => IndexDocument.Value.RootElement.GetProperty("files").EnumerateArray();

    public static JsonElement CapturedEntry(string file)
    {
        foreach (var e in CapturedEntries())
        {
            if (e.GetProperty("file").GetString() == file)
            {
                return e;
            }
        }

        throw new ArgumentException($"no captured entry {file}", nameof(file));
    }

    public static byte[] Captured(string name) => File.ReadAllBytes(PathOf(name.StartsWith("captured/", StringComparison.Ordinal) ? name : "captured/" + name));

    public static byte[] B64(this JsonElement e, string property) => Convert.FromBase64String(e.GetProperty(property).GetString()!);

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;

    /// <summary>Verifies an ECDSA/SHA-256 DER signature with the certificate's key and that it is low-S.</summary>
    public static void AssertValidLowSSignature(X509Certificate2 certificate, ReadOnlySpan<byte> message, byte[] signature)
    {
        using var key = certificate.GetECDsaPublicKey()!;
        Assert.True(
            key.VerifyHash(SHA256.HashData(message), signature, DSASignatureFormat.Rfc3279DerSequence),
            "signature does not verify");
        var order = new Org.BouncyCastle.Math.BigInteger(1, key.ExportExplicitParameters(false).Curve.Order!);
        Assert.True(LowS.IsLowS(signature, order), "signature is not low-S");
    }

    public static X509Certificate2 LoadCertificateFile(string relative) =>
        X509CertificateLoader.LoadCertificate(PemEncodingDer(File.ReadAllText(PathOf(relative))));

    private static byte[] PemEncodingDer(string pem)
    {
        var fields = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }
}
