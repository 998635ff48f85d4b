using FabricInvoke.Cli.Output;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.Cli;

/// <summary>What a command may touch of the outside world: environment, output writers, clock. Tests supply their own.</summary>
internal sealed class CliContext
{
    public CliContext(
        IConfiguration environment, TextWriter output, TextWriter error, TimeProvider? time = null, CommandProgress? progress = null, long? startedAt = null, Stream? rawOutput = null)
    {
        RawOutput = rawOutput;
        StartedAt = startedAt ?? (time ?? TimeProvider.System).GetTimestamp();
        Environment = environment;
        Output = output;
        Error = error;
        Time = time ?? TimeProvider.System;
        Progress = progress ?? new CommandProgress();
    }

    public IConfiguration Environment { get; }

    /// <summary>Results (stdout).</summary>
    public TextWriter Output { get; }

    /// <summary>
    /// stdout as bytes, for a query's payload (the peer CLI writes it unchanged, valid UTF-8 or not); null: written
    /// through <see cref="Output"/> as UTF-8 text.
    /// </summary>
    public Stream? RawOutput { get; }

    /// <summary>Opens stdin as bytes (<c>--batch -</c>).</summary>
    public Func<Stream> Input { get; init; } = Console.OpenStandardInput;

    /// <summary>Logs and errors (stderr), as the peer CLI does.</summary>
    public TextWriter Error { get; }

    public TimeProvider Time { get; }

    /// <summary>The clock's timestamp when the process (or, in tests, the context) started: phase timings count from it.</summary>
    public long StartedAt { get; }

    /// <summary>How far the command got, and who writes its last line.</summary>
    public CommandProgress Progress { get; }

    /// <summary>stdout when it is a pipe (Linux): what its reader took, and whether it went away; null otherwise.</summary>
    public StdoutPipe? StdoutPipe { get; init; }

    /// <summary>stderr is a terminal (not redirected): live progress and colour may be shown there.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>The terminal's width in columns, which a status line must stay within.</summary>
    public int TerminalWidth { get; init; } = 80;

    /// <summary>Colour only on a terminal, and never when NO_COLOR is set (to any value, see no-color.org).</summary>
    public bool Colour => ErrorIsTerminal && Environment["NO_COLOR"] is null;

    /// <summary>A live progress line only on a terminal and never in CI (CI set to any value); --no-progress is the command's to check.</summary>
    public bool LiveProgressAllowed => ErrorIsTerminal && Environment["CI"] is null;

    public FabricLog CreateLog() => new(Error, FabricLog.ParseSpec(Environment["FABRIC_LOGGING_SPEC"]), Time, Colour);
}
