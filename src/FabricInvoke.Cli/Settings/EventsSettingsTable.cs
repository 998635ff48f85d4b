using FabricInvoke.Cli.Output;

namespace FabricInvoke.Cli.Settings;

/// <summary>The settings of <c>events chaincode</c> and <c>events blocks</c> beyond the shared peer and identity ones.</summary>
internal static class EventsSettingsTable
{
    public static readonly TimeSpan MaxReconnectTimeout = TimeSpan.FromHours(24);

    public static readonly Setting Event = new(["--event"], null, null, "only events of this name (repeat for several)") { Repeatable = true };

    public static readonly Setting Start = new(["--start"], null, "newest", "`newest`, `oldest`, or a block number: where to start when there is no checkpoint");

    public static readonly Setting Checkpoint = new(["--checkpoint"], null, null,
        "a file recording the stream (command, channel, chaincode, event names, path, chain) and the last event delivered; replaced atomically after each one; a restart resumes right after it, a different stream is refused (exit 3); locked while in use") { IsPath = true };

    public static readonly Setting OutputFile = new(["--output-file"], null, null,
        "append the events to this file instead of stdout, exactly once across restarts (needs `--checkpoint`, which records the file's length)") { IsPath = true };

    public static readonly Setting UntilBlock = new(["--until-block"], null, null, "stop (exit 0) once this block has been read");

    public static readonly Setting Count = new(["--count"], null, null, "stop (exit 0) after this many events (blocks, for `events blocks`)");

    public static readonly DurationSetting Timeout = new(["--timeout"], null, null, "stop after this long: exit 0 if anything was emitted, else 10",
        InvokeSettingsTable.MinTimeout, InvokeSettingsTable.MaxTimeout);

    public static readonly DurationSetting ReconnectTimeout = new(["--reconnect-timeout"], null, "5m",
        "how long a broken stream is re-opened (with backoff, cycling through the peers) before giving up with exit 9", InvokeSettingsTable.MinTimeout, MaxReconnectTimeout);

    /// <summary>The events' own <c>--output</c> (JSON Lines, not one result object); not in the README's table, as the shared rows are not.</summary>
    public static readonly ChoiceSetting<OutputFormat> Output = new(["--output"], null, "text",
        "`text` (one line per event) or `json` (JSON Lines: one object per line)", InvokeSettingsTable.OutputFormats);

    public static readonly IReadOnlyList<Setting> All = [Event, Start, Checkpoint, OutputFile, UntilBlock, Count, Timeout, ReconnectTimeout];
}
