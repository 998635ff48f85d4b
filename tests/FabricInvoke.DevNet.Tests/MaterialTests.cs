using FabricInvoke.DevNet.Tests.Infrastructure;

namespace FabricInvoke.DevNet.Tests;

/// <summary>A folder of crypto material made once, copied by each test that damages it.</summary>
public sealed class MaterialTemplate : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "fabinvoke-material-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        await using var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = Path.Combine(Directory, "template") }).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>A fresh copy of the template's organizations/ tree (no ledger) in a new DevNet folder.</summary>
    public string Copy()
    {
        var target = Path.Combine(Directory, Guid.NewGuid().ToString("N"));
        var source = Path.Combine(Directory, "template", "organizations");
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, "organizations", Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    public Task DisposeAsync()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Start-up verifies the crypto material it loads (certificates chain to their org's CA on disk, keys match their
/// certificates, nothing missing) and refuses a bad folder naming the file, instead of repairing or using it.
/// </summary>
public sealed class MaterialTests(MaterialTemplate template) : IClassFixture<MaterialTemplate>
{
    private const string Org1 = "organizations/peerOrganizations/org1.example.com";
    private const string Org2 = "organizations/peerOrganizations/org2.example.com";

    [Fact]
    public async Task A_peer_certificate_issued_by_another_CA_is_refused_naming_it()
    {
        var dir = template.Copy();
        var victim = Path.Combine(dir, Org1, "peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem");
        File.Copy(Path.Combine(dir, Org2, "peers/peer0.org2.example.com/msp/signcerts/peer0.org2.example.com-cert.pem"), victim, overwrite: true);

        var e = await StartFails(dir);

        Assert.Equal(victim, e.File);
        Assert.Contains("not issued by the org's CA", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_is_not_the_certificate_s_key_is_refused_naming_it()
    {
        var dir = template.Copy();
        var victim = Path.Combine(dir, Org1, "users/User1@org1.example.com/msp/keystore/priv_sk");
        File.Copy(Path.Combine(dir, Org1, "users/Admin@org1.example.com/msp/keystore/priv_sk"), victim, overwrite: true);

        var e = await StartFails(dir);

        Assert.Equal(victim, e.File);
        Assert.Contains("does not match", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_CA_whose_key_was_replaced_is_refused()
    {
        var dir = template.Copy();
        var victim = Path.Combine(dir, Org2, "ca/priv_sk");
        File.Copy(Path.Combine(dir, Org2, "tlsca/priv_sk"), victim, overwrite: true);

        Assert.Equal(victim, (await StartFails(dir)).File);
    }

    [Fact]
    public async Task A_missing_file_of_an_existing_identity_is_refused_not_recreated()
    {
        var dir = template.Copy();
        var victim = Path.Combine(dir, "organizations/ordererOrganizations/example.com/orderers/orderer.example.com/tls/server.key");
        File.Delete(victim);

        var e = await StartFails(dir);

        Assert.Equal(victim, e.File);
        Assert.Equal("missing", e.Problem);
        Assert.False(File.Exists(victim));
    }

    [Fact]
    public async Task A_garbage_or_huge_certificate_file_is_refused()
    {
        var dir = template.Copy();
        var victim = Path.Combine(dir, Org1, "msp/cacerts/ca.org1.example.com-cert.pem");
        await File.WriteAllBytesAsync(victim, new byte[1024 * 1024]);

        var e = await StartFails(dir);

        Assert.Equal(victim, e.File);
    }

    [Fact]
    public async Task Material_a_bigger_shape_needs_is_added_whole_and_a_half_built_folder_is_discarded()
    {
        var dir = template.Copy();
        var leftover = Path.Combine(dir, Org2, "peers", ".peer1.org2.example.com.0123.building");
        Directory.CreateDirectory(Path.Combine(leftover, "msp"));

        await using (var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = dir, Orgs = 3, PeersPerOrg = 2 }).WaitAsync(DevNetFixture.Bound))
        {
            Assert.Equal(6, network.Peers.Count);
        }

        Assert.False(Directory.Exists(leftover));
        Assert.True(File.Exists(Path.Combine(dir, Org2, "peers/peer1.org2.example.com/tls/server.key")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir, ".*.building", SearchOption.AllDirectories));
    }

    private static async Task<DevNetMaterialException> StartFails(string dir)
    {
        var e = await Assert.ThrowsAsync<DevNetMaterialException>(() => DevNetwork.StartAsync(new DevNetOptions { Directory = dir }).WaitAsync(DevNetFixture.Bound));

        // The folder is released again: the next start (after a fix) is not locked out.
        Assert.Null(Storage.DevNetFolderLock.ReadOwner(dir));
        return e;
    }
}
