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
/// mid-file or in the header, a damaged length prefix, a flipped validation flag, zeros where records were — in the
/// orderer's or a peer's file is refused at start (exit 3, one line naming the file, the block and the offset) and no
/// ledger file is changed or created; a torn last record is cut (and said) and the network runs; an orderer that lost
/// blocks its peers have is refused, naming the orderer's file, instead of wedging every invoke. (Every byte and every
/// length of a network's files, through the same code without processes: DevNet.Tests' LedgerIntegrityTests.)
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
        Assert.Contains($"the DevNet ledger is damaged at block {block} (offset {offset}): ", error, StringComparison.Ordinal);
        Assert.Contains(damage == "length" ? "length prefix" : "checksum mismatch", error, StringComparison.Ordinal);
        Assert.Contains("; no ledger file was changed (move ", error, StringComparison.Ordinal);
        Assert.EndsWith(file, error, StringComparison.Ordinal);
        Assert.Equal(damaged, await File.ReadAllBytesAsync(file));
    }

    [Theory]
    [InlineData(Orderer)]
    [InlineData(Peer)]
    public async Task A_flipped_bit_in_the_header_is_refused_not_converted_as_an_old_format(string node)
    {
        // Issue 22 D2: 'F' ^ 0x40 made the file look like the pre-checksum format, whose "conversion" emptied it.
        var dir = template.Copy();
        var file = DevNetFolders.BlockFile(dir, node);
        DevNetFolders.Flip(file, 0, 0x40);
        var ledger = Snapshot(dir);

        var outcome = await FabinvokeProcess.RunAsync(template.Work, "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Get","k1"]}""", "--waitForEvent");

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        outcome.AssertWellBehaved();
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains("the DevNet ledger is damaged at offset 0: its header is damaged", error, StringComparison.Ordinal);
        Assert.EndsWith(file, error, StringComparison.Ordinal);
        Assert.Equal(ledger, Snapshot(dir));
    }

    [Fact]
    public async Task Zeros_from_a_record_on_in_every_file_are_refused_not_cut()
    {
        // Issue 22 D3: zeros from record 2 on in every file were cut as "torn last records": acknowledged blocks lost.
        var dir = template.Copy();
        foreach (var node in new[] { Orderer, Peer, "peer0.org2.example.com" })
        {
            var file = DevNetFolders.BlockFile(dir, node);
            DevNetFolders.ZeroFrom(file, DevNetFolders.Records(file)[2].Offset);
        }

        var ledger = Snapshot(dir);
        var orderer = DevNetFolders.BlockFile(dir, Orderer);

        var outcome = await FabinvokeProcess.RunAsync(template.Work, "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Get","k1"]}""", "--waitForEvent");

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        outcome.AssertWellBehaved();
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"the DevNet ledger is damaged at block 2 (offset {DevNetFolders.Records(orderer)[2].Offset}): the file holds only zeros", error, StringComparison.Ordinal);
        Assert.EndsWith(orderer, error, StringComparison.Ordinal);
        Assert.DoesNotContain("cut a torn", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(ledger, Snapshot(dir));
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_orderer_that_lost_blocks_its_peers_have_is_refused_naming_it_and_nothing_is_cut(bool torn)
    {
        // Issue 22 D16: the orderer's torn record was cut, then the refusal said "nothing was changed" and named a peer's file.
        var dir = template.Copy();
        var orderer = DevNetFolders.BlockFile(dir, Orderer);
        var records = DevNetFolders.Records(orderer);
        var (offset, length) = records[^1];
        DevNetFolders.Truncate(orderer, torn ? offset + 8 + (length / 2) : offset);
        var ledger = Snapshot(dir);

        var outcome = await FabinvokeProcess.RunAsync(template.Work, "chaincode", "invoke", "--devnet", dir, "-C", "mychannel", "-n", "basic",
            "-c", """{"Args":["Get","k1"]}""", "--waitForEvent", "--waitForEventTimeout", "5s");

        Assert.True(outcome.ExitCode == 3, outcome.ToString());
        outcome.AssertWellBehaved();
        var error = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"damaged at block {records.Count - 1} (offset {offset}): {Orderer}'s file ends", error, StringComparison.Ordinal);
        Assert.Contains(torn ? "in a torn record of this block" : "before this block", error, StringComparison.Ordinal);
        Assert.Contains("no ledger file was changed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was changed", error, StringComparison.Ordinal);
        Assert.EndsWith(orderer, error, StringComparison.Ordinal);
        Assert.DoesNotContain("cut a torn", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(ledger, Snapshot(dir));
    }

    [Fact]
    public async Task Devnet_up_refuses_a_damaged_ledger_and_says_on_stderr_when_it_cuts_a_torn_record()
    {
        var damaged = template.Copy();
        var file = DevNetFolders.BlockFile(damaged, Peer);
        DevNetFolders.Flip(file, DevNetFolders.Records(file)[1].Offset + 20);
        var ledger = Snapshot(damaged);
        var refused = await FabinvokeProcess.RunAsync(template.Work, "devnet", "up", "--dir", damaged);
        Assert.True(refused.ExitCode == 3, refused.ToString());
        var error = Assert.Single(refused.ErrorLines);
        Assert.Contains($"damaged at block 1 (offset {DevNetFolders.Records(file)[1].Offset}): its record", error, StringComparison.Ordinal);
        Assert.EndsWith(file, error, StringComparison.Ordinal);
        Assert.Equal(ledger, Snapshot(damaged));
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

    /// <summary>Every file under DIR/ledger (path and content), to show a refused start changed and created none.</summary>
    private static SortedDictionary<string, string> Snapshot(string dir) =>
        new(Directory.GetFiles(Path.Combine(dir, "ledger"), "*", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => Convert.ToHexString(File.ReadAllBytes(f))), StringComparer.Ordinal);
}
