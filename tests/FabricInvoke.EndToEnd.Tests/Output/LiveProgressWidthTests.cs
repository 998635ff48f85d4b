using FabricInvoke.Cli.Output;

namespace FabricInvoke.EndToEnd.Tests.Output;

/// <summary>
/// The live progress line must fit the terminal whatever its width: a line that wraps cannot be erased in place and
/// leaves stale text behind. Terminals 1–19 columns wide used to be drawn as if 20 (and reported as 80).
/// </summary>
public sealed class LiveProgressWidthTests
{
    private const string EraseLine = "\r\u001b[K";

    /// <summary>Every text the status line showed, from what was written to the terminal.</summary>
    private static List<string> Shown(int width)
    {
        using var screen = new StringWriter();
        var log = new FabricLog(screen, LogLevel.Info);
        using (var live = new LiveProgress(log, TimeProvider.System, TimeProvider.System.GetTimestamp(), width, endorsers: 2, commitPeers: 2))
        {
            live.Endorsing();
            live.Ordering("orderer.example.com:7050");
            live.WaitingForCommit();
            live.Committed();
        }

        return screen.ToString().Split(EraseLine).Where(t => t.Length > 0).ToList();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(19)]
    [InlineData(20)]
    [InlineData(80)]
    public void The_status_line_stays_shorter_than_the_terminal_is_wide(int width)
    {
        var shown = Shown(width);

        Assert.NotEmpty(shown);
        Assert.All(shown, text => Assert.True(text.Length < width, $"'{text}' ({text.Length} characters) on a {width}-column terminal"));
    }

    [Fact]
    public void A_one_column_terminal_gets_no_status_line_at_all()
    {
        Assert.Empty(Shown(1));
    }

    [Fact]
    public void A_wide_terminal_shows_the_whole_phase()
    {
        Assert.Contains(Shown(200), t => t.StartsWith("ordering through orderer.example.com:7050 (", StringComparison.Ordinal));
    }
}
