using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Tests;

/// <summary>A command's connections read each TLS root file once, however many peers name it (16 peers of two orgs: two reads).</summary>
public sealed class TlsRootsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fabinvoke-tlsroots-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CopyOfRoot(string name)
    {
        var file = Path.Combine(_dir, name);
        File.Copy(Fixtures.PathOf("identities/org1-user1/msp/tlscacerts/tlsca.org1.example.com-cert.pem"), file);
        return file;
    }

    private static NodeEndpoint At(string address, string rootFile) => new(Endpoint.Parse(address, "peer"), rootFile, null);

    [Fact]
    public void A_root_file_named_by_several_peers_is_read_once()
    {
        var file = CopyOfRoot("tlsca.pem");
        var roots = new TlsRoots();

        var first = roots.Of(At("peer0:7051", file), "peer");
        File.Delete(file);
        var second = roots.Of(At("peer1:8051", file), "peer");

        Assert.Same(first, second);
        Assert.Equal("CN=tlsca.org1.example.com, O=org1.example.com, L=San Francisco, S=California, C=US", Assert.Single(second).Subject);
    }

    [Fact]
    public void Each_file_is_read_and_a_missing_one_fails_naming_it_and_its_role()
    {
        var file = CopyOfRoot("org1.pem");
        var missing = Path.Combine(_dir, "org2.pem");
        var roots = new TlsRoots();
        Assert.Single(roots.Of(At("peer0:7051", file), "peer"));

        var e = Assert.Throws<FabricInvokeException>(() => roots.Of(At("peer0.org2:9051", missing), "orderer"));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("orderer TLS root certificate file", e.Message, StringComparison.Ordinal);
    }
}
