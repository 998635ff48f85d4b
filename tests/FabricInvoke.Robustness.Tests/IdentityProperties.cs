using System.Text;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Robustness.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FabricInvoke.Robustness.Tests;

/// <summary>Broken identity files end in one configuration error naming the file, never in a crypto exception.</summary>
public sealed class IdentityProperties : IDisposable
{
    private const string Base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

    private static readonly string OtherKeyPem = File.ReadAllText(Path.Combine(Fixtures.Identities, "key-variants", "p384-key.pem"));
    private static readonly string OtherCertPem = File.ReadAllText(Path.Combine(Fixtures.Identities, "key-variants", "p384-cert.pem"));
    private static readonly string Sec1KeyPem = File.ReadAllText(Path.Combine(Fixtures.Identities, "key-variants", "user1-sec1.pem"));

    private readonly TempMsp _msp = new();

    public void Dispose() => _msp.Dispose();

    /// <summary>A damaged version of <paramref name="pem"/>, or something else entirely where it was expected.</summary>
    private static Gen<byte[]> Damaged(string pem, string wrongKindOfPem) => Gen.Frequency(
        (2, Generators.Bytes(600)),
        (2, Gen.Choose(0, pem.Length).Select(n => Encoding.UTF8.GetBytes(pem[..n]))),
        (4, CorruptBase64Body(pem).Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Elements(wrongKindOfPem, OtherKeyPem, OtherCertPem, pem + pem, "", "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n").Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Elements("EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "CERTIFICATE", "PRIVATE KEY", "X509 CRL", "")
            .Select(label => Encoding.UTF8.GetBytes(Relabel(pem, label)))),
        (2, Generators.Mutate(pem).Select(Encoding.UTF8.GetBytes)));

    /// <summary>One to four characters of the base64 body replaced (by base64 or by junk) or removed.</summary>
    private static Gen<string> CorruptBase64Body(string pem)
    {
        var begin = pem.IndexOf('\n', StringComparison.Ordinal) + 1;
        var end = pem.LastIndexOf("-----END", StringComparison.Ordinal);
        return Gen.Choose(1, 4).SelectMany(n =>
            (from at in Gen.Choose(begin, end - 1)
             from c in Gen.Frequency((4, Gen.Elements(Base64Chars.ToCharArray())), (1, Gen.Elements('!', ' ', '-', '\n', 'é', '\0')))
             from remove in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
             select (at, c, remove)).ArrayOf(n).Select(edits =>
            {
                var text = new StringBuilder(pem);
                foreach (var (at, c, remove) in edits.OrderByDescending(e => e.at))
                {
                    if (remove)
                    {
                        text.Remove(at, 1);
                    }
                    else
                    {
                        text[at] = c;
                    }
                }

                return text.ToString();
            }));
    }

    private static string Relabel(string pem, string label)
    {
        var lines = pem.Split('\n');
        var body = lines.Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal));
        return $"-----BEGIN {label}-----\n{string.Join('\n', body)}\n-----END {label}-----\n";
    }

    [Property(MaxTest = 300)]
    public Property FromPem_with_a_damaged_key_fails_as_config_naming_the_key() =>
        Prop.ForAll(Damaged(Fixtures.Org1KeyPem, Fixtures.Org1SignCertPem).ToArbitrary(), key =>
        {
            var failure = Assertions.SucceedsOr(FailureKind.Config,
                () => SigningIdentity.FromPem(Fixtures.MspId, Fixtures.Org1SignCertPem, Generators.Utf8(key), "keystore/priv_sk"));
            Assert.True(failure is null || failure.Message.Contains("keystore/priv_sk", StringComparison.Ordinal), failure?.Message);
        });

    [Property(MaxTest = 300)]
    public Property FromPem_with_a_damaged_certificate_fails_as_config() =>
        Prop.ForAll(Damaged(Fixtures.Org1SignCertPem, Fixtures.Org1KeyPem).ToArbitrary(), cert =>
        {
            var failure = Assertions.SucceedsOr(FailureKind.Config,
                () => SigningIdentity.FromPem(Fixtures.MspId, Generators.Utf8(cert), Sec1KeyPem, "keystore/priv_sk"));
            Assert.True(failure is null || failure.Message.Contains("certificate PEM", StringComparison.Ordinal)
                || failure.Message.Contains("keystore/priv_sk", StringComparison.Ordinal), failure?.Message);
        });

    [Property(MaxTest = 200)]
    public Property MspFolder_with_a_damaged_key_file_fails_as_config_naming_it() =>
        Prop.ForAll(Damaged(Fixtures.Org1KeyPem, Fixtures.Org1SignCertPem).ToArbitrary(), key =>
        {
            File.WriteAllBytes(_msp.KeyFile, key);
            File.WriteAllText(_msp.SignCertFile, Fixtures.Org1SignCertPem);
            var failure = Assertions.SucceedsOr(FailureKind.Config, () => MspFolder.Load(_msp.Path, Fixtures.MspId));

            // A damaged key that still parses (but is another key) is reported against the keystore folder.
            Assert.True(failure is null || failure.Message.Contains(_msp.KeyFile, StringComparison.Ordinal)
                || failure.Message.Contains(Path.GetDirectoryName(_msp.KeyFile)!, StringComparison.Ordinal), failure?.Message);
        });

    [Property(MaxTest = 200)]
    public Property MspFolder_with_a_damaged_certificate_file_fails_as_config_naming_it() =>
        Prop.ForAll(Damaged(Fixtures.Org1SignCertPem, Fixtures.Org1KeyPem).ToArbitrary(), cert =>
        {
            File.WriteAllText(_msp.KeyFile, Fixtures.Org1KeyPem);
            File.WriteAllBytes(_msp.SignCertFile, cert);
            var failure = Assertions.SucceedsOr(FailureKind.Config, () => MspFolder.Load(_msp.Path, Fixtures.MspId));

            // A certificate that parses but does not match the key is reported against the keystore, naming the certificate.
            Assert.True(failure is null || failure.Message.Contains(_msp.SignCertFile, StringComparison.Ordinal), failure?.Message);
        });
}
