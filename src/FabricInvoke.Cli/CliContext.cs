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

    /// <summary>Logs and errors (stderr), as the peer CLI does.</summary>
    public TextWriter Error { get; }

    public TimeProvider Time { get; }

    /// <summary>The clock's timestamp when the process (or, in tests, the context) started: phase timings count from it.</summary>
    public long StartedAt { get; }

    /// <summary>How far the command got, and who writes its last line.</summary>
    public CommandProgress Progress { get; }

    public FabricLog CreateLog() => new(Error, FabricLog.ParseSpec(Environment["FABRIC_LOGGING_SPEC"]), Time);
}
