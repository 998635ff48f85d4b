using FabricInvoke.DevNet;
using FabricInvoke.EndToEnd.Tests.Infrastructure;

namespace FabricInvoke.EndToEnd.Tests.DevNet;

/// <summary>A stopped DevNet folder with a few blocks (genesis + three Puts), copied by each test that damages it.</summary>
public sealed class LedgerTemplate : IAsyncLifetime
{
    public string Work { get; } = Directory.CreateTempSubdirectory("fabinvoke-ledger-").FullName;

    public string Template => Path.Combine(Work, "template");

    public async Task InitializeAsync()
    {
        await using var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = Template, BatchTimeout = TimeSpan.FromMilliseconds(20) }).WaitAsync(CliRun.Bound);
        var fixture = new StartedNetwork(network);
        for (var i = 1; i <= 3; i++)
        {
            var put = await CliRun.RunAsync(fixture.UserEnvironment(), fixture.InvokeArgs($$"""{"Args":["Put","k{{i}}","v{{i}}"]}"""));
            Assert.True(put.ExitCode == 0, put.ToString());
        }
    }

    public string Copy() => DevNetFolders.Copy(Template, Path.Combine(Work, Guid.NewGuid().ToString("N")));

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Ledger integrity as a user meets it, over real processes: damage anywhere but a torn last record — a flipped byte
/// mid-file, a damaged length prefix, a flipped validation flag — in the orderer's or a peer's file is refused at
/// start (exit 3, one line naming the file and the block) and the file is left as it was; a torn last record is cut
/// (and said) and the network runs; a peer ahead of its orderer is refused instead of wedging every invoke.
/// </summary>
public sealed class DevNetLedgerDamageTests(LedgerTemplate template) : IClassFixture<LedgerTemplate>
{
    private const string Orderer = "orderer.example.com";
    private const string Peer = "peer0.org1.example.com";

    public static TheoryData<string, string> Damage => new()
    {
        { Orderer, "middle" },
        { Orderer, "length" },
        { Orderer, "flag" },
        { Peer, "middle" },
        { Peer, "length" },
        { Peer, "flag" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task Damage_other_than_a_torn_tail_is_refused_with_exit_3_naming_file_and_block(string node, string damage)
    {
        var dir = template.Copy();
        var file = DevNetFolders.BlockFile(dir, node);
        var records = DevNetFolders.Records(file);
        Assert.True(records.Count >= 4, $"{records.Count} blocks in the template");
        const int block = 2;
        var (offset, length) = records[block];
        DevNetFolders.Flip(file, damage switch
        {
            "middle" => offset + 8 + (length / 2),
            "length" => offset + 2,

            // The block ends with its metadata: …, [2] = {0x0A n flags…}, [3] = {0x0A 0x00}, [4] = {0x0A 0x00}; one transaction.
            _ => offset + 8 + length - 5,
        });
        var damaged = await File.ReadAllBytesAsync(file);

        var outcome = await FabinvokeProcess.RunAsync(template.Work, "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Get","k1"]}""", "--waitForEvent");

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        outcome.AssertWellBehaved();
        var error = outcome.ErrorLines[0];
        Assert.Contains($"the DevNet ledger is damaged at block {block}", error, StringComparison.Ordinal);
        Assert.Contains(damage == "length" ? "length prefix" : "checksum mismatch", error, StringComparison.Ordinal);
        Assert.EndsWith(file, error, StringComparison.Ordinal);
        Assert.Equal(damaged, await File.ReadAllBytesAsync(file));
    }

    [Theory]
    [InlineData(Orderer)]
    [InlineData(Peer)]
    public async Task A_torn_last_record_is_cut_said_once_and_the_network_runs(string node)
    {
        var dir = template.Copy();
        var file = DevNetFolders.BlockFile(dir, node);
        if (node == Orderer)
        {
            // The orderer was killed while appending a block no peer had yet: a record header and half a payload.
            var (offset, length) = DevNetFolders.Records(file)[^1];
            var bytes = await File.ReadAllBytesAsync(file);
            await using var f = new FileStream(file, FileMode.Append);
            f.Write(bytes.AsSpan((int)offset, 8 + (length / 2)));
        }
        else
        {
            // The peer was killed mid-append: its last record lost its tail; it catches up from the orderer.
            DevNetFolders.Truncate(file, new FileInfo(file).Length - 17);
        }

        var outcome = await FabinvokeProcess.RunAsync(template.Work, "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Get","k3"]}""", "--waitForEvent");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("payload:\"v3\"", outcome.Stderr, StringComparison.Ordinal);
        var cut = Assert.Single(outcome.StderrLines, l => l.Contains("cut a torn last record", StringComparison.Ordinal));
        Assert.Contains($"WARN [chaincodeCmd] devnet -> {node}:", cut, StringComparison.Ordinal);
        Assert.Contains(file, cut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_ahead_of_its_orderer_is_refused_instead_of_wedging()
    {
        var dir = template.Copy();
        var orderer = DevNetFolders.BlockFile(dir, Orderer);
        var last = DevNetFolders.Records(orderer)[^1];
        DevNetFolders.Truncate(orderer, last.Offset);

        var outcome = await FabinvokeProcess.RunAsync(template.Work, "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Get","k1"]}""", "--waitForEvent", "--waitForEventTimeout", "5s");

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        outcome.AssertWellBehaved();
        Assert.Contains("ahead of its orderer", outcome.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains(orderer, outcome.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devnet_up_refuses_a_damaged_ledger_and_says_on_stderr_when_it_cuts_a_torn_record()
    {
        var damaged = template.Copy();
        var file = DevNetFolders.BlockFile(damaged, Peer);
        DevNetFolders.Flip(file, DevNetFolders.Records(file)[1].Offset + 20);
        var refused = await FabinvokeProcess.RunAsync(template.Work, "devnet", "up", "--dir", damaged);
        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains("damaged at block 1", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(damaged, "devnet.env")));

        var torn = template.Copy();
        var peerFile = DevNetFolders.BlockFile(torn, Peer);
        DevNetFolders.Truncate(peerFile, new FileInfo(peerFile).Length - 5);
        using var up = FabinvokeProcess.Start(template.Work, "devnet", "up", "--dir", torn);
        await up.WaitForLineAsync("Press Ctrl-C to stop.").WaitAsync(CliRun.Bound);
        Assert.Contains($"WARN [devnet] {Peer}: cut a torn last record", up.Stderr, StringComparison.Ordinal);
        up.Terminate();
        await up.WaitForExitAsync().WaitAsync(CliRun.Bound);
    }

    [Fact]
    public async Task A_ledger_of_the_pre_checksum_format_is_converted_and_keeps_its_data()
    {
        var dir = template.Copy();
        foreach (var node in new[] { Orderer, Peer, "peer0.org2.example.com" })
        {
            DevNetFolders.ToLegacyFormat(DevNetFolders.BlockFile(dir, node));
        }

        var outcome = await FabinvokeProcess.RunAsync(template.Work, "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Get","k2"]}""", "--waitForEvent");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("payload:\"v2\"", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, outcome.StderrLines.Count(l => l.Contains("from the pre-checksum ledger format", StringComparison.Ordinal)));
        Assert.Equal("FIDNLDGR"u8.ToArray(), (await File.ReadAllBytesAsync(DevNetFolders.BlockFile(dir, Orderer)))[..8]);
    }
}
