using System.Security.Cryptography;
using System.Text;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Robustness.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FabricInvoke.Robustness.Tests;

/// <summary>
/// Whatever a certificate or key file holds — random bytes, PEM-looking garbage, a damaged real file — every file
/// reader of Core accepts it or refuses it with one Config line naming the file, and never hangs. The one PEM reader
/// finds exactly the blocks .NET's RFC 7468 reader finds, in linear time.
/// </summary>
public sealed class FileReaderProperties : IDisposable
{
    /// <summary>Per generated file; far more than the milliseconds one takes, it only turns a hang into a failure.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static readonly string TlsCaPem = File.ReadAllText(Fixtures.Org1TlsCa);
    private static readonly string ClientCertFile = Path.Combine(Fixtures.Identities, "org1-user1", "tls", "client.crt");
    private static readonly string ClientKeyFile = Path.Combine(Fixtures.Identities, "org1-user1", "tls", "client.key");
    private static readonly string ClientCertPem = File.ReadAllText(ClientCertFile);
    private static readonly string ClientKeyPem = File.ReadAllText(ClientKeyFile);

    private static readonly string[] SoupTokens =
    [
        "-----BEGIN ", "-----END ", "-----", "-", " -", "CERTIFICATE", "PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
        "EC PARAMETERS", "A", "A B", "A--B", "", " ", "\n", "\r\n", "\t", "\v", "=", "==", "AAAA", "AAA=", "MIIB", "+/+/",
        "x", "é", "\0",
    ];

    /// <summary>Tokens with which a header line could be written; left out where a property compares with .NET's reader, which has no headers.</summary>
    private static readonly string[] HeaderTokens = [":", "Proc-Type: 4,ENCRYPTED\n", "DEK-Info: AES-128-CBC,00\n\n"];

    private readonly TempMsp _msp = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("fabinvoke-fuzz-").FullName;

    public void Dispose()
    {
        _msp.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly string[] Labels = ["CERTIFICATE", "PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "A", "", "A B", "A-B", "-A", "A  B", "B-"];

    private static readonly string[] BodyLines =
        File.ReadAllText(Path.Combine(Fixtures.Identities, "org1-user1", "tls", "client.crt")).Split('\n')
            .Concat(File.ReadAllText(Path.Combine(Fixtures.Identities, "org1-user1", "tls", "client.key")).Split('\n'))
            .Where(l => l.Length > 0 && !l.StartsWith('-'))
            .ToArray();

    /// <summary>A base64 body: real lines, any bytes (so every padding), a damaged one, or none.</summary>
    private static Gen<string> Body { get; } = Gen.Frequency(
        (3, Gen.Choose(1, 4).SelectMany(n => Gen.Elements(BodyLines).ArrayOf(n)).Select(lines => string.Join('\n', lines))),
        (4, Generators.Bytes(60).Select(Convert.ToBase64String)),
        (2, Generators.Bytes(60).Select(Convert.ToBase64String).SelectMany(Generators.Mutate)),
        (1, Gen.Constant(string.Empty)));

    /// <summary>
    /// One block the way files have them, or nearly: white space or text before the BEGIN line, any label (some not
    /// RFC 7468 labels), an END line that usually names the same label, a body that is usually base64, headers (when
    /// <paramref name="withHeaders"/>), and what follows the END line.
    /// </summary>
    private static Gen<string> Block(bool withHeaders) =>
        from before in Gen.Frequency((4, Gen.Elements("", "\n", "\r\n")), (1, Gen.Elements(" ", "\t", "x")))
        from label in Gen.Frequency((4, Gen.Elements(Labels[..5])), (1, Gen.Elements(Labels)))
        from endLabel in Gen.Frequency((8, Gen.Constant(label)), (1, Gen.Elements(Labels)))
        from open in Gen.Frequency((4, Gen.Elements("\n", "\r\n")), (1, Gen.Elements(" ", "", "\n\n")))
        from headers in withHeaders ? Gen.Frequency((3, Gen.Constant("")), (1, Gen.Elements(HeaderTokens))) : Gen.Constant("")
        from body in Body
        from close in Gen.Frequency((4, Gen.Elements("\n", "\r\n")), (1, Gen.Elements(" ", "")))
        from after in Gen.Frequency((4, Gen.Elements("\n", "\r\n")), (1, Gen.Elements("", " ", "x", "-----", "\n\n")))
        select $"{before}-----BEGIN {label}-----{open}{headers}{body}{close}-----END {endLabel}-----{after}";

    /// <summary>Text made of blocks, nearly-blocks and the pieces PEM is made of, in any order.</summary>
    private static Gen<string> PemSoup(bool withHeaders)
    {
        var tokens = Gen.Frequency(
            (6, Gen.Elements(SoupTokens)),
            (2, Gen.Elements(BodyLines)),
            (withHeaders ? 1 : 0, Gen.Elements(HeaderTokens)));
        var piece = Gen.Frequency(
            (3, Block(withHeaders)),
            (2, Gen.Choose(0, 12).SelectMany(n => tokens.ArrayOf(n)).Select(string.Concat)));
        return Gen.Choose(0, 6).SelectMany(n => piece.ArrayOf(n)).Select(string.Concat);
    }

    /// <summary>What a file may hold: random bytes, PEM soup, a damaged real certificate or key, several glued together.</summary>
    private static Gen<byte[]> FileContent(string realPem) => Gen.Frequency(
        (2, Generators.Bytes(2000)),
        (3, PemSoup(withHeaders: true).Select(Encoding.UTF8.GetBytes)),
        (3, Generators.Mutate(realPem).Select(Encoding.UTF8.GetBytes)),
        (1, Generators.Corrupt(Encoding.UTF8.GetBytes(realPem))),
        (1, PemSoup(withHeaders: true).Select(soup => Encoding.UTF8.GetBytes(soup + realPem + soup))),
        (1, Gen.Constant(Encoding.UTF8.GetBytes(realPem))));

    public static TheoryData<string> Readers() =>
    [
        "TLS root certificates", "TLS client certificate", "TLS client key",
        "MSP signcert", "MSP keystore key", "MSP cacert",
    ];

    [Theory]
    [MemberData(nameof(Readers))]
    public void Any_file_content_is_accepted_or_refused_as_config_naming_the_file(string reader)
    {
        var (file, realPem, read) = Target(reader);
        var property = Prop.ForAll(FileContent(realPem).ToArbitrary(), content =>
        {
            File.WriteAllBytes(file, content);
            var run = Task.Run(() => Assertions.SucceedsOr(FailureKind.Config, read));
            Assert.True(run.Wait(Bound), $"{reader} did not end within {Bound.TotalSeconds}s");

            // A damaged certificate or key that still parses but no longer matches its partner is reported where the
            // match is looked for: against the keystore folder, or the TLS client key file.
            var failure = run.Result;
            var alsoNamed = reader switch
            {
                "MSP keystore key" => Path.GetDirectoryName(file)!,
                "TLS client certificate" => ClientKeyFile,
                _ => file,
            };
            Assert.True(failure is null || failure.Message.Contains(file, StringComparison.Ordinal)
                || failure.Message.Contains(alsoNamed, StringComparison.Ordinal), failure?.Message);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150).WithQuietOnSuccess(true), property);
    }

    [Property(MaxTest = 1000)]
    public Property The_PEM_reader_finds_the_blocks_dotnet_finds() =>
        Prop.ForAll(PemSoup(withHeaders: false).ToArbitrary(), soup =>
        {
            // A trailing newline: .NET accepts an END line followed by exactly one non-space character at the very end
            // of the text (an off-by-one in its check), which RFC 7468 does not.
            var text = soup + "\n";
            var ours = PemText.Parse(text).Where(b => !b.IsDamaged).Select(b => (b.Label, Convert.ToHexString(b.Data!))).ToList();
            Assert.Equal(DotNetBlocks(text), ours);
        });

    [Fact]
    public void The_soup_often_holds_blocks_so_the_comparison_is_not_vacuous()
    {
        var samples = PemSoup(withHeaders: false).Sample(size: 50, numberOfSamples: 1000);
        var withBlocks = samples.Count(s => DotNetBlocks(s + "\n").Count > 0);
        var withDamaged = samples.Count(s => PemText.Parse(s + "\n").Any(b => b.IsDamaged));

        Assert.True(withBlocks > 300, $"only {withBlocks} of 1000 samples hold a block");
        Assert.True(withDamaged > 300, $"only {withDamaged} of 1000 samples hold a damaged block");
    }

    [Property(MaxTest = 300)]
    public Property Real_files_glued_into_soup_keep_their_blocks() =>
        Prop.ForAll(PemSoup(withHeaders: false).ToArbitrary(), soup =>
        {
            var text = soup + "\n" + TlsCaPem + soup + "\n" + ClientKeyPem;
            var blocks = PemText.Parse(text);
            Assert.Equal(DotNetBlocks(text), blocks.Where(b => !b.IsDamaged).Select(b => (b.Label, Convert.ToHexString(b.Data!))).ToList());
        });

    [Theory]
    [InlineData("-----BEGIN A-----\n")]
    [InlineData("-----BEGIN ")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA")]
    [InlineData("-----BEGIN A-----\n-----END B-----\n")]
    [InlineData(" -----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----x")]
    public async Task A_limit_sized_file_of_worst_case_PEM_is_read_in_bounded_time(string unit)
    {
        // .NET's PemEncoding searches the rest of the text again for every BEGIN without its END: a 1 MiB file of
        // BEGIN lines takes it about 10 s. The reader must stay linear for the limit to bound the time too.
        var file = Path.Combine(_folder, "worst.pem");
        var text = new StringBuilder();
        while (text.Length + unit.Length <= FileLimit.Certificates.MaxBytes)
        {
            text.Append(unit);
        }

        File.WriteAllText(file, text.ToString());
        var failure = await Task.Run(() => Assertions.SucceedsOr(FailureKind.Config, () => TlsFiles.LoadCertificates(file, "peer TLS root certificate file")))
            .WaitAsync(Bound);

        Assert.NotNull(failure);
    }

    private (string File, string RealPem, Action Read) Target(string reader)
    {
        var file = Path.Combine(_folder, "file.pem");
        var cacert = Directory.GetFiles(Path.Combine(_msp.Path, "cacerts")).Single();
        return reader switch
        {
            "TLS root certificates" => (file, TlsCaPem, () => Dispose(TlsFiles.LoadCertificates(file, "peer TLS root certificate file"))),
            "TLS client certificate" => (file, ClientCertPem, () => TlsFiles.LoadClientCredential(new ClientCertificateFiles(file, ClientKeyFile)).Dispose()),
            "TLS client key" => (file, ClientKeyPem, () => TlsFiles.LoadClientCredential(new ClientCertificateFiles(ClientCertFile, file)).Dispose()),
            "MSP signcert" => (_msp.SignCertFile, Fixtures.Org1SignCertPem, () => MspFolder.Load(_msp.Path, Fixtures.MspId).Certificate.Dispose()),
            "MSP keystore key" => (_msp.KeyFile, Fixtures.Org1KeyPem, () => MspFolder.Load(_msp.Path, Fixtures.MspId).Certificate.Dispose()),
            "MSP cacert" => (cacert, File.ReadAllText(cacert), () => MspFolder.Load(_msp.Path, Fixtures.MspId).Certificate.Dispose()),
            _ => throw new ArgumentOutOfRangeException(nameof(reader), reader, null),
        };
    }

    private static void Dispose(System.Security.Cryptography.X509Certificates.X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

    /// <summary>The blocks .NET's own RFC 7468 reader finds, one after the other.</summary>
    private static List<(string Label, string Data)> DotNetBlocks(string text)
    {
        var blocks = new List<(string, string)>();
        var rest = text.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var span = rest.Span;
            blocks.Add((span[fields.Label].ToString(), Convert.ToHexString(Convert.FromBase64String(span[fields.Base64Data].ToString()))));
            rest = rest[fields.Location.End.Value..];
        }

        return blocks;
    }
}
