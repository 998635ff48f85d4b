using System.Security.Cryptography;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// A command's connections read each TLS file once, however many peers name it (16 peers of two orgs: two root reads,
/// one client certificate).
/// </summary>
public sealed class TlsMaterialTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fabinvoke-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CopyOf(string fixture, string name)
    {
        var file = Path.Combine(_dir, name);
        File.Copy(Fixtures.PathOf(fixture), file);
        return file;
    }

    private string CopyOfRoot(string name) => CopyOf("identities/org1-user1/msp/tlscacerts/tlsca.org1.example.com-cert.pem", name);

    private static NodeEndpoint At(string address, string rootFile) => new(Endpoint.Parse(address, "peer"), rootFile, null);

    [Fact]
    public void A_root_file_named_by_several_peers_is_read_once()
    {
        var file = CopyOfRoot("tlsca.pem");
        using var tls = new TlsMaterial();

        var first = tls.RootsOf(At("peer0:7051", file), "peer");
        File.Delete(file);
        var second = tls.RootsOf(At("peer1:8051", file), "peer");

        Assert.Same(first, second);
        Assert.Equal("CN=tlsca.org1.example.com, O=org1.example.com, L=San Francisco, S=California, C=US", Assert.Single(second).Subject);
    }

    [Fact]
    public void Each_file_is_read_and_a_missing_one_fails_naming_it_and_its_role()
    {
        var file = CopyOfRoot("org1.pem");
        var missing = Path.Combine(_dir, "org2.pem");
        using var tls = new TlsMaterial();
        Assert.Single(tls.RootsOf(At("peer0:7051", file), "peer"));

        var e = Assert.Throws<FabricInvokeException>(() => tls.RootsOf(At("peer0.org2:9051", missing), "orderer"));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("orderer TLS root certificate file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_client_certificate_is_loaded_once_and_released_with_the_material()
    {
        var files = new ClientCertificateFiles(CopyOf("identities/org1-user1/tls/client.crt", "client.crt"), CopyOf("identities/org1-user1/tls/client.key", "client.key"));
        var tls = new TlsMaterial();

        var first = tls.ClientCertificate(files);
        File.Delete(files.CertFile);
        File.Delete(files.KeyFile);
        var second = tls.ClientCertificate(files with { });

        Assert.Same(first, second);
        var certificate = second.Certificate;
        Assert.True(certificate.HasPrivateKey);
        Assert.Null(second.Ed25519Key);
        tls.Dispose();
        Assert.Throws<CryptographicException>(() => certificate.GetCertHash());
    }
}
