using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Common;

namespace FabricInvoke.DevNet.Tests;

/// <summary>
/// The ledger's one rule, proved exhaustively on a small network's files, through the code every start runs
/// (<see cref="NetworkLedger.Open"/>): the orderer holds blocks 0-3 (it had cut block 3, which no peer had yet), peer0
/// blocks 0-2 and peer1 blocks 0-1, so blocks 0-2 are acknowledged (a peer committed them and told its client). Each
/// byte of each file flipped (one bit, a different one from byte to byte) and each file cut at each length gives one
/// of two outcomes:
/// every acknowledged block recovered (only a torn final record cut, every block kept byte for byte), or a refusal
/// naming the damaged file, block and offset with no byte of any file changed and no file created.
/// </summary>
public sealed class LedgerIntegrityTests : IDisposable
{
    private const int Acknowledged = 3;

    // Small blocks keep the cases few (about 2,000 in all) and the test a few seconds long.
    private static readonly List<Block> Chain = TestLedger.Chain(4, txPerBlock: 1, padding: 0);

    // In memory where the system has it: a recovered case cuts a file and closing a store fsyncs it, and ~1,000 disk
    // fsyncs would take longer than everything else together (the bytes and the rule are the same on any file system).
    private readonly string _dir = Directory.Exists("/dev/shm") && !OperatingSystem.IsWindows()
        ? Directory.CreateDirectory(Path.Combine("/dev/shm", $"fabinvoke-ledger-set-{Guid.NewGuid():N}")).FullName
        : Directory.CreateTempSubdirectory("fabinvoke-ledger-set-").FullName;
    private readonly List<DevNetDiagnostic> _diagnostics = [];
    private readonly Node[] _nodes;

    public LedgerIntegrityTests()
    {
        _nodes =
        [
            new("orderer.example.com", 4, peer: false),
            new("peer0.org1.example.com", 3, peer: true),
            new("peer0.org2.example.com", 2, peer: true),
        ];
        foreach (var node in _nodes)
        {
            node.Path = Path.Combine(_dir, node.Name, "blocks.bin");
            TestLedger.Write(node.Path, Chain.Take(node.Height));
            node.Original = File.ReadAllBytes(node.Path);
            node.Records = TestLedger.Records(node.Path);
            Assert.Equal(node.Height, node.Records.Count);
        }
    }

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
    public void Intact_files_open_as_they_are()
    {
        var outcome = Open();

        Assert.Null(outcome.Refusal);
        Assert.Empty(_diagnostics);
        AssertUnchanged();
    }

    [Fact]
    public void Every_flipped_byte_of_every_file_is_refused_naming_file_block_and_offset_and_changes_nothing()
    {
        var cases = 0;
        foreach (var node in _nodes)
        {
            for (var at = 0; at < node.Original.Length; at++)
            {
                // CRC-32C sees any error within 32 adjacent bits, so one bit per byte is as hard a case as eight.
                var mask = (byte)(1 << (at % 8));
                var damaged = (byte[])node.Original.Clone();
                damaged[at] ^= mask;
                File.WriteAllBytes(node.Path, damaged);
                var what = $"{node.Name} byte {at} ^ 0x{mask:X2}";

                var refusal = Open().Refusal ?? throw new Xunit.Sdk.XunitException($"{what}: opened");

                Assert.True(node.Path == refusal.File, $"{what}: {refusal.Message}");
                var (block, offset) = Location(node, at);
                Assert.True(block == refusal.BlockNumber && offset == refusal.Offset, $"{what}: expected block {block} offset {offset}: {refusal.Message}");
                AssertUnchanged(node, damaged, what);
                File.WriteAllBytes(node.Path, node.Original);
                cases++;
            }
        }

        Assert.Equal(_nodes.Sum(n => n.Original.Length), cases);
    }

    [Fact]
    public void Every_length_of_every_file_recovers_every_acknowledged_block_or_is_refused_changing_nothing()
    {
        var recovered = 0;
        var refused = 0;
        foreach (var node in _nodes)
        {
            for (var length = 0; length < node.Original.Length; length++)
            {
                var cut = node.Original[..length];
                File.WriteAllBytes(node.Path, cut);
                var what = $"{node.Name} cut to {length} bytes";
                _diagnostics.Clear();

                var outcome = Open();

                // The complete records the shortened file still holds, and where the torn one (if any) starts.
                var complete = node.Records.Count(r => r.Offset + 12 + r.Length <= length);
                var intact = complete == 0 ? 16 : node.Records[complete - 1].Offset + 12 + node.Records[complete - 1].Length;
                var mustRefuse = length < 16 || (!node.Peer && complete < Acknowledged);
                if (mustRefuse)
                {
                    var refusal = outcome.Refusal ?? throw new Xunit.Sdk.XunitException($"{what}: opened");
                    Assert.True(node.Path == refusal.File, $"{what}: {refusal.Message}");
                    Assert.True(length < 16 ? refusal.BlockNumber is null && refusal.Offset == 0 : refusal.BlockNumber == (ulong)complete && refusal.Offset == intact,
                        $"{what}: {refusal.Message}");
                    AssertUnchanged(node, cut, what);
                    refused++;
                }
                else
                {
                    Assert.True(outcome.Refusal is null, $"{what}: {outcome.Refusal?.Message}");
                    AssertRecovered(outcome, node, complete, what);
                    Assert.Equal(node.Original[..(int)intact], File.ReadAllBytes(node.Path));
                    Assert.Equal(length > intact, _diagnostics.Any(d => d.Kind == DevNetDiagnosticKind.LedgerTailCut && d.Message.Contains(node.Path, StringComparison.Ordinal)));
                    recovered++;
                }

                File.WriteAllBytes(node.Path, node.Original);
            }
        }

        // Every peer length from the header on recovers (the peer catches up from the orderer); the orderer only from
        // the end of block 2, the last acknowledged one.
        Assert.Equal(_nodes.Sum(n => n.Original.Length), recovered + refused);
        Assert.Equal(_nodes.Where(n => n.Peer).Sum(n => n.Original.Length - 16) + (int)(_nodes[0].Original.Length - Start(_nodes[0], Acknowledged)), recovered);
    }

    [Fact]
    public void Zeros_from_any_record_on_in_every_file_are_refused_not_cut()
    {
        // Issue 22 D3: zeros where whole records were, in every file, were cut as unfinished appends: blocks lost.
        for (var from = 0; from < 2; from++)
        {
            var zeroed = new Dictionary<Node, byte[]>();
            foreach (var node in _nodes)
            {
                zeroed[node] = (byte[])node.Original.Clone();
                Array.Clear(zeroed[node], (int)node.Records[from].Offset, zeroed[node].Length - (int)node.Records[from].Offset);
                File.WriteAllBytes(node.Path, zeroed[node]);
            }

            var refusal = Open().Refusal ?? throw new Xunit.Sdk.XunitException($"zeros from record {from}: opened");

            Assert.Equal(_nodes[0].Path, refusal.File);
            Assert.Equal((ulong)from, refusal.BlockNumber);
            Assert.Equal(_nodes[0].Records[from].Offset, refusal.Offset);
            Assert.Contains("only zeros", refusal.Problem, StringComparison.Ordinal);
            foreach (var node in _nodes)
            {
                Assert.Equal(zeroed[node], File.ReadAllBytes(node.Path));
                File.WriteAllBytes(node.Path, node.Original);
            }

            Assert.Empty(_diagnostics);
        }
    }

    [Fact]
    public void An_orderer_file_that_lost_a_block_a_peer_has_is_refused_naming_the_orderer_and_nothing_is_cut()
    {
        // Issue 22 D16: the orderer's torn record was cut, then the start refused naming the healthy peer's file.
        var orderer = _nodes[0];
        var torn = orderer.Original[..(int)(orderer.Records[2].Offset + 20)];
        File.WriteAllBytes(orderer.Path, torn);

        var refusal = Open().Refusal!;

        Assert.Equal(orderer.Path, refusal.File);
        Assert.Equal(2ul, refusal.BlockNumber);
        Assert.Equal(orderer.Records[2].Offset, refusal.Offset);
        Assert.Contains($"peer0.org1.example.com has blocks up to 2 ({_nodes[1].Path})", refusal.Problem, StringComparison.Ordinal);
        AssertUnchanged(orderer, torn, "orderer torn in block 2");
        Assert.Empty(_diagnostics);
    }

    [Fact]
    public void A_missing_orderer_file_is_refused_and_not_created_a_missing_peer_file_is_created()
    {
        var orderer = _nodes[0];
        File.Delete(orderer.Path);

        var refusal = Open().Refusal!;

        Assert.Equal(orderer.Path, refusal.File);
        Assert.Contains("ledger file is missing", refusal.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(orderer.Path));
        File.WriteAllBytes(orderer.Path, orderer.Original);

        Directory.Delete(Path.GetDirectoryName(_nodes[2].Path)!, recursive: true);
        var outcome = Open();
        Assert.Null(outcome.Refusal);
        Assert.Equal(new[] { 4, 3, 0 }, outcome.Heights);
        Assert.Equal(16, new FileInfo(_nodes[2].Path).Length);
    }

    [Fact]
    public void A_peer_whose_chain_differs_from_the_orderers_is_refused_naming_the_peer()
    {
        var other = TestLedger.Chain(3, txPerBlock: 2);
        var peer = _nodes[1];
        File.Delete(peer.Path);
        TestLedger.Write(peer.Path, other);
        var before = File.ReadAllBytes(peer.Path);

        var refusal = Open().Refusal!;

        Assert.Equal(peer.Path, refusal.File);
        Assert.Equal(0ul, refusal.BlockNumber);
        Assert.Equal(16L, refusal.Offset);
        Assert.Contains("different chains", refusal.Problem, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(peer.Path));
    }

    private static long Start(Node node, int record) => node.Records[record].Offset;

    /// <summary>The block and offset a refusal must name for damage at byte <paramref name="at"/>: the header field, or the record holding it.</summary>
    private static (ulong? Block, long Offset) Location(Node node, int at)
    {
        if (at < 16)
        {
            return (null, at < 8 ? 0 : at < 12 ? 8 : 12);
        }

        var record = node.Records.FindLastIndex(r => r.Offset <= at);
        return ((ulong)record, node.Records[record].Offset);
    }

    private Outcome Open()
    {
        try
        {
            var (orderer, peers) = NetworkLedger.Open(
                (_nodes[0].Path, Options(_nodes[0])),
                [.. _nodes.Skip(1).Select(n => (n.Path, Options(n)))]);
            var stores = peers.Prepend(orderer).ToList();
            var outcome = new Outcome(null, [.. stores.Select(s => (int)s.Height)], [.. stores.Select(s => Enumerable.Range(0, (int)s.Height).Select(i => s.Get((ulong)i)!).ToList())]);
            foreach (var store in stores)
            {
                store.Dispose();
            }

            return outcome;
        }
        catch (DevNetLedgerException e)
        {
            return new Outcome(e, [], []);
        }
    }

    private BlockStoreOptions Options(Node node) =>
        new(node.Name, new Hosting.DiagnosticSink(_diagnostics.Add), HasValidationFlags: node.Peer);

    /// <summary>Every file as written, no other file anywhere in the ledger folder, no diagnostic.</summary>
    private void AssertUnchanged(Node? damaged = null, byte[]? damagedContent = null, string what = "")
    {
        foreach (var node in _nodes)
        {
            var expected = ReferenceEquals(node, damaged) ? damagedContent! : node.Original;
            Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(node.Path)), $"{what}: {node.Path} changed");
        }

        Assert.True(_nodes.Length == Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).Length, $"{what}: a file was created");
        Assert.True(_diagnostics.Count == 0, $"{what}: {string.Join("; ", _diagnostics)}");
    }

    /// <summary>The orderer kept every acknowledged block, every store is a prefix of the chain, untouched files unchanged.</summary>
    private void AssertRecovered(Outcome outcome, Node shortened, int complete, string what)
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            var expectedHeight = ReferenceEquals(_nodes[i], shortened) ? complete : _nodes[i].Height;
            Assert.True(expectedHeight == outcome.Heights[i], $"{what}: {_nodes[i].Name} at height {outcome.Heights[i]}");
            Assert.Equal(Chain.Take(expectedHeight), outcome.Blocks[i]);
            if (!ReferenceEquals(_nodes[i], shortened))
            {
                Assert.Equal(_nodes[i].Original, File.ReadAllBytes(_nodes[i].Path));
            }
        }

        Assert.True(outcome.Heights[0] >= Acknowledged, $"{what}: the orderer lost an acknowledged block");
    }

    private sealed record Outcome(DevNetLedgerException? Refusal, List<int> Heights, List<List<Block>> Blocks);

    private sealed class Node(string name, int height, bool peer)
    {
        public string Name { get; } = name;

        public int Height { get; } = height;

        public bool Peer { get; } = peer;

        public string Path { get; set; } = "";

        public byte[] Original { get; set; } = [];

        public List<(long Offset, int Length)> Records { get; set; } = [];
    }
}
