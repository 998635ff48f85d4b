using System.Text;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Tests.Infrastructure;

namespace FabricInvoke.DevNet.Tests;

/// <summary>
/// The block file format: every record is checksummed, so a torn last record (cut, and reported) is told apart from
/// damage anywhere else (refused, naming file and block, the file left as it was); a damaged header is never taken
/// for the old format; ledgers of the old format are converted; write failures leave nothing half-written behind.
/// (The exhaustive version, every byte and every length of a network's files: LedgerIntegrityTests.)
/// </summary>
public sealed class LedgerFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fabinvoke-ledger-").FullName;

    private string File(string name = "blocks.bin") => Path.Combine(_dir, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Crc32C_matches_the_standard_check_value() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void A_new_file_has_a_versioned_header_and_a_chain_reloads_intact()
    {
        var chain = TestLedger.Chain(5);
        TestLedger.Write(File(), chain);

        Assert.Equal("FIDNLDGR"u8.ToArray(), System.IO.File.ReadAllBytes(File())[..8]);
        var diagnostics = new List<DevNetDiagnostic>();
        using var store = BlockStore.Open(File(), TestLedger.Options(diagnostics));
        Assert.Equal(5ul, store.Height);
        Assert.Equal(chain[4], store.Get(4));
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(40)]
    [InlineData(-3)]
    public void A_torn_last_record_is_cut_and_reported(int keep)
    {
        TestLedger.Write(File(), TestLedger.Chain(4));
        var last = TestLedger.Records(File())[^1];
        var tornAt = keep > 0 ? last.Offset + keep : last.Offset + 12 + last.Length + keep;
        using (var f = new FileStream(File(), FileMode.Open))
        {
            f.SetLength(tornAt);
        }

        var diagnostics = new List<DevNetDiagnostic>();
        using (var store = BlockStore.Open(File(), TestLedger.Options(diagnostics)))
        {
            Assert.Equal(3ul, store.Height);
            store.Append(TestLedger.Chain(4)[3]);
        }

        var cut = Assert.Single(diagnostics);
        Assert.Equal(DevNetDiagnosticKind.LedgerTailCut, cut.Kind);
        Assert.Contains(File(), cut.Message, StringComparison.Ordinal);
        Assert.Contains("after block 2", cut.Message, StringComparison.Ordinal);
        using var again = BlockStore.Open(File(), TestLedger.Options());
        Assert.Equal(4ul, again.Height);
    }

    [Fact]
    public void A_zero_filled_tail_is_refused_not_cut_as_an_unfinished_append()
    {
        // Issue 22 D3: zeros where records were were cut as "an unfinished append", dropping acknowledged blocks.
        TestLedger.Write(File(), TestLedger.Chain(5));
        var third = TestLedger.Records(File())[2].Offset;
        var bytes = System.IO.File.ReadAllBytes(File());
        Array.Clear(bytes, (int)third, bytes.Length - (int)third);
        System.IO.File.WriteAllBytes(File(), bytes);

        var diagnostics = new List<DevNetDiagnostic>();
        var e = Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File(), TestLedger.Options(diagnostics)));

        Assert.Equal(File(), e.File);
        Assert.Equal(2ul, e.BlockNumber);
        Assert.Contains("only zeros", e.Problem, StringComparison.Ordinal);
        Assert.Equal(bytes, System.IO.File.ReadAllBytes(File()));
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Fewer_bytes_than_a_record_header_after_the_last_record_are_a_torn_record_and_are_cut()
    {
        TestLedger.Write(File(), TestLedger.Chain(3));
        var length = new FileInfo(File()).Length;
        using (var f = new FileStream(File(), FileMode.Append))
        {
            f.Write(new byte[7]);
        }

        var diagnostics = new List<DevNetDiagnostic>();
        using var store = BlockStore.Open(File(), TestLedger.Options(diagnostics));

        Assert.Equal(3ul, store.Height);
        Assert.Equal(DevNetDiagnosticKind.LedgerTailCut, Assert.Single(diagnostics).Kind);
        Assert.Equal(length, new FileInfo(File()).Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(15)]
    public void A_flipped_bit_in_the_header_is_refused_not_read_as_the_pre_checksum_format(int at)
    {
        // Issue 22 D2: a flipped bit in byte 0 made the file "pre-checksum", whose conversion cut it to an empty ledger.
        TestLedger.Write(File(), TestLedger.Chain(4));
        for (var bit = 0; bit < 8; bit++)
        {
            var original = System.IO.File.ReadAllBytes(File());
            var damaged = (byte[])original.Clone();
            damaged[at] ^= (byte)(1 << bit);
            System.IO.File.WriteAllBytes(File(), damaged);
            var diagnostics = new List<DevNetDiagnostic>();

            var e = Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File(), TestLedger.Options(diagnostics)));

            Assert.Equal(File(), e.File);
            Assert.Null(e.BlockNumber);
            Assert.Contains("header", e.Problem, StringComparison.Ordinal);
            Assert.Equal(damaged, System.IO.File.ReadAllBytes(File()));
            Assert.Empty(diagnostics);
            Assert.Equal(new[] { File() }, Directory.GetFiles(_dir));
            System.IO.File.WriteAllBytes(File(), original);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(15)]
    public void A_file_shorter_than_its_header_is_refused_and_left_as_it_is(int length)
    {
        // Files are created whole (header then rename), so a short one is damage, not an interrupted creation.
        TestLedger.Write(File(), TestLedger.Chain(2));
        using (var f = new FileStream(File(), FileMode.Open))
        {
            f.SetLength(length);
        }

        var before = System.IO.File.ReadAllBytes(File());

        var e = Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File(), TestLedger.Options()));

        Assert.Equal(File(), e.File);
        Assert.Contains("header", e.Problem, StringComparison.Ordinal);
        Assert.Equal(before, System.IO.File.ReadAllBytes(File()));
    }

    [Fact]
    public void A_new_file_is_created_whole_with_its_header()
    {
        var path = Path.Combine(_dir, "node", "blocks.bin");

        using (BlockStore.Open(path, TestLedger.Options()))
        {
            Assert.Equal(16, new FileInfo(path).Length);
        }

        Assert.Equal(new[] { path }, Directory.GetFiles(Path.Combine(_dir, "node")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void A_flipped_byte_inside_any_record_even_the_last_is_refused_naming_file_and_block(int block)
    {
        TestLedger.Write(File(), TestLedger.Chain(5));
        var record = TestLedger.Records(File())[block];
        TestLedger.Flip(File(), record.Offset + 8 + (record.Length / 2));
        var length = new FileInfo(File()).Length;

        var e = Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File(), TestLedger.Options()));

        Assert.Equal(File(), e.File);
        Assert.Equal((ulong)block, e.BlockNumber);
        Assert.Contains("checksum mismatch", e.Problem, StringComparison.Ordinal);
        Assert.Equal(length, new FileInfo(File()).Length);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 3)]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    public void A_damaged_length_prefix_is_refused_not_taken_for_a_torn_tail(int block, int byteOfLength)
    {
        TestLedger.Write(File(), TestLedger.Chain(5));
        TestLedger.Flip(File(), TestLedger.Records(File())[block].Offset + byteOfLength);

        var e = Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File(), TestLedger.Options()));

        Assert.Equal((ulong)block, e.BlockNumber);
        Assert.Contains("length prefix", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_with_intact_checksums_that_breaks_the_chain_is_refused()
    {
        TestLedger.Write(File(), TestLedger.Chain(2));
        var foreign = TestLedger.Chain(3, txPerBlock: 3)[2];
        using (var f = new FileStream(File(), FileMode.Append))
        {
            f.Write(BlockFileFormat.Record(Google.Protobuf.MessageExtensions.ToByteArray(foreign)));
        }

        var before = System.IO.File.ReadAllBytes(File());
        var e = Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File(), TestLedger.Options()));

        Assert.Equal(2ul, e.BlockNumber);
        Assert.Contains("previous-block hash", e.Problem, StringComparison.Ordinal);
        Assert.Equal(before, System.IO.File.ReadAllBytes(File()));
    }

    [Fact]
    public void A_damaged_record_checksum_is_refused()
    {
        TestLedger.Write(File(), TestLedger.Chain(3));
        var record = TestLedger.Records(File())[1];
        TestLedger.Flip(File(), record.Offset + 8 + record.Length + 2);

        Assert.Equal(1ul, Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File(), TestLedger.Options())).BlockNumber);
    }

    [Fact]
    public void A_flipped_validation_flag_is_covered_by_the_checksum()
    {
        var chain = TestLedger.Chain(3, txPerBlock: 1);
        TestLedger.Write(File(), chain);
        var record = TestLedger.Records(File())[2];

        // The block ends with its metadata: …, [2] = {0x0A 0x01 flag}, [3] = {0x0A 0x00}, [4] = {0x0A 0x00}.
        var flagOffset = record.Offset + 8 + record.Length - 5;
        var bytes = System.IO.File.ReadAllBytes(File());
        Assert.Equal(new byte[] { 0x0A, 0x01, 0x00, 0x0A, 0x00, 0x0A, 0x00 }, bytes[(int)(flagOffset - 2)..(int)(flagOffset + 5)]);
        TestLedger.Flip(File(), flagOffset);

        var e = Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File(), TestLedger.Options()));
        Assert.Equal(2ul, e.BlockNumber);
    }

    [Fact]
    public void An_unknown_format_version_is_refused()
    {
        TestLedger.Write(File(), TestLedger.Chain(1));
        TestLedger.Flip(File(), 11);

        var problem = Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File(), TestLedger.Options())).Problem;
        Assert.Contains("format version 0", problem, StringComparison.Ordinal);
        Assert.Contains("or a damaged header", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pre_checksum_ledger_is_converted_once_and_keeps_its_chain()
    {
        var chain = TestLedger.Chain(4);
        TestLedger.WriteLegacy(File(), chain);
        var diagnostics = new List<DevNetDiagnostic>();

        using (var store = BlockStore.Open(File(), TestLedger.Options(diagnostics)))
        {
            Assert.Equal(4ul, store.Height);
            Assert.Equal(chain[3], store.Get(3));
        }

        Assert.Equal(DevNetDiagnosticKind.LedgerMigrated, Assert.Single(diagnostics).Kind);
        Assert.Equal("FIDNLDGR"u8.ToArray(), System.IO.File.ReadAllBytes(File())[..8]);
        Assert.Equal(4, TestLedger.Records(File()).Count);
    }

    [Fact]
    public void A_pre_checksum_ledger_with_a_torn_tail_is_cut_and_a_damaged_one_refused()
    {
        var chain = TestLedger.Chain(3);
        TestLedger.WriteLegacy(File("torn.bin"), chain);
        using (var f = new FileStream(File("torn.bin"), FileMode.Open))
        {
            f.SetLength(f.Length - 7);
        }

        using (var store = BlockStore.Open(File("torn.bin"), TestLedger.Options()))
        {
            Assert.Equal(2ul, store.Height);
        }

        TestLedger.WriteLegacy(File("broken.bin"), chain);
        var second = 4 + chain[0].CalculateSize();
        TestLedger.Flip(File("broken.bin"), second + 4 + 10);
        Assert.Equal(1ul, Assert.Throws<DevNetLedgerException>(() => BlockStore.Open(File("broken.bin"), TestLedger.Options())).BlockNumber);
    }

    [Fact]
    public void A_failed_write_leaves_no_partial_record_and_the_same_block_can_be_appended_later()
    {
        var chain = TestLedger.Chain(3);
        var faults = new PeerFaults();
        using (var store = BlockStore.Open(File(), TestLedger.Options(faults: faults)))
        {
            store.Append(chain[0]);
            var length = new FileInfo(File()).Length;
            faults.FailLedgerWrites = true;

            var e = Assert.Throws<IOException>(() => store.Append(chain[1]));

            Assert.Contains("block 1", e.Message, StringComparison.Ordinal);
            Assert.Contains(File(), e.Message, StringComparison.Ordinal);
            Assert.Contains("No space left on device", e.Message, StringComparison.Ordinal);
            Assert.Equal(1ul, store.Height);
            Assert.Equal(length, new FileInfo(File()).Length);

            faults.FailLedgerWrites = false;
            store.Append(chain[1]);
            store.Append(chain[2]);
        }

        using var again = BlockStore.Open(File(), TestLedger.Options());
        Assert.Equal(3ul, again.Height);
    }

    [Fact]
    public void A_block_file_is_opened_exclusively()
    {
        using var store = BlockStore.Open(File(), TestLedger.Options());

        Assert.ThrowsAny<IOException>(() => BlockStore.Open(File(), TestLedger.Options()));
    }
}
