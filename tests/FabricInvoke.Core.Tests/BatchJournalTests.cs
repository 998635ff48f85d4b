using System.Text;
using FabricInvoke.Core.Batch;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Tests;

/// <summary>The batch journal on disk: what a resumed run reads back, a torn last record, damage, another input.</summary>
public sealed class BatchJournalTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fabinvoke-journal-" + Guid.NewGuid().ToString("N"));

    public BatchJournalTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static async Task WriteRunAsync(string path)
    {
        await using var journal = await BatchJournal.OpenAsync(path, 3, "abc123", CancellationToken.None);
        Assert.True(journal.State.IsEmpty);
        await journal.SentAsync(1, "tx1", [1, 2, 3], 7);
        await journal.ResultAsync(1, "tx1", "VALID", 8, "peer0:7051");
        await journal.SentAsync(2, "tx2", [4, 5], 8);
        await journal.ResultAsync(2, "tx2", "MVCC_READ_CONFLICT", 9, "peer0:7051");
        await journal.SentAsync(3, "tx3", [6], 9);
    }

    [Fact]
    public async Task A_resumed_run_reads_what_was_journalled_line_by_line()
    {
        var path = PathOf("j");
        await WriteRunAsync(path);

        await using var again = await BatchJournal.OpenAsync(path, 3, "abc123", CancellationToken.None);

        Assert.Equal("VALID", again.State.Results[1].Status);
        Assert.Equal(8UL, again.State.Results[1].Block);
        Assert.Equal("MVCC_READ_CONFLICT", again.State.Results[2].Status);
        var pending = Assert.Single(again.State.Pending);
        Assert.Equal(3, pending.Key);
        Assert.Equal("tx3", pending.Value.TxId);
        Assert.Equal(9UL, pending.Value.Height);
        Assert.Equal([6], pending.Value.Envelope);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new byte[] { 6 })), pending.Value.Digest);
    }

    [Fact]
    public async Task A_torn_last_record_is_dropped_and_the_next_record_starts_on_its_own_line()
    {
        var path = PathOf("torn");
        await WriteRunAsync(path);
        await File.AppendAllTextAsync(path, "{\"t\":\"result\",\"line\":3,\"txid\":\"tx3\",\"sta");

        await using (var again = await BatchJournal.OpenAsync(path, 3, "abc123", CancellationToken.None))
        {
            Assert.Equal("tx3", again.State.Pending[3].TxId);
            await again.ResultAsync(3, "tx3", "VALID", 10, "peer0:7051");
        }

        await using (var third = await BatchJournal.OpenAsync(path, 3, "abc123", CancellationToken.None))
        {
            Assert.Empty(third.State.Pending);
            Assert.Equal("VALID", third.State.Results[3].Status);
        }

        Assert.All(await File.ReadAllLinesAsync(path), l => Assert.StartsWith("{\"t\":", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Zeros_at_the_end_after_a_power_loss_are_dropped_too()
    {
        var path = PathOf("zeros");
        await WriteRunAsync(path);
        await using (var f = new FileStream(path, FileMode.Append))
        {
            f.Write(new byte[100]);
            f.Write("\n"u8);
        }

        await using var again = await BatchJournal.OpenAsync(path, 3, "abc123", CancellationToken.None);
        Assert.Equal("tx3", again.State.Pending[3].TxId);
    }

    [Fact]
    public async Task A_bad_record_followed_by_good_ones_is_damage_exit_class_config()
    {
        var path = PathOf("damaged");
        await WriteRunAsync(path);
        var lines = (await File.ReadAllLinesAsync(path)).ToList();
        lines.Insert(2, "garbage");
        await File.WriteAllLinesAsync(path, lines, new UTF8Encoding(false));

        var e = await Assert.ThrowsAsync<FabricInvokeException>(() => BatchJournal.OpenAsync(path, 3, "abc123", CancellationToken.None));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Contains("damaged at record 3", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journal_of_another_input_is_refused_naming_both()
    {
        var path = PathOf("other");
        await WriteRunAsync(path);

        var e = await Assert.ThrowsAsync<FabricInvokeException>(() => BatchJournal.OpenAsync(path, 4, "abc123", CancellationToken.None));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Contains("the input changed since the batch journal was written (journal: 3 lines", e.Message, StringComparison.Ordinal);
        Assert.Contains("input now: 4 lines", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_runs_cannot_use_one_journal_at_once()
    {
        var path = PathOf("busy");
        await using var first = await BatchJournal.OpenAsync(path, 1, "abc", CancellationToken.None);

        var e = await Assert.ThrowsAsync<FabricInvokeException>(() => BatchJournal.OpenAsync(path, 1, "abc", CancellationToken.None));

        Assert.Equal(FailureKind.Config, e.Kind);
        Assert.Contains("cannot open the batch journal", e.Message, StringComparison.Ordinal);
    }
}
