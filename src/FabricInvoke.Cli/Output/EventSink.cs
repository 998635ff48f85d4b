using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Events;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// Where one <c>events</c> run's lines go, what it delivered, and the rule that makes a checkpoint true: it records a
/// line only once the line has reached its reader — on stdout, written (and, on a Linux pipe, taken out of the pipe by
/// the reader); in an output file, written and flushed to disk, the checkpoint then recording the file's length with
/// the position.
/// </summary>
internal sealed class EventSink(TextWriter output, EventsCommandSettings settings, EventStreamBinding binding, string? genesis, EventOutputFile? file, StdoutPipe? pipe)
{
    /// <summary>Why results can no longer be delivered, once they cannot.</summary>
    public string? Gone { get; set; }

    /// <summary>Lines delivered in this run.</summary>
    public long Emitted { get; private set; }

    /// <summary>The position last recorded (the checkpoint's, before the first line of this run); null: none.</summary>
    public EventCheckpoint? Last { get; set; }

    /// <summary>Delivers one line and records it; false when it could not be delivered (nothing recorded): the stream ends.</summary>
    public async Task<bool> DeliverAsync(string line, EventCheckpoint position, CancellationToken cancellationToken)
    {
        long? length = null;
        if (file is not null)
        {
            if (file.TryAppend(line) is { } problem)
            {
                Gone = problem;
                return false;
            }

            length = file.Length;
        }
        else
        {
            output.WriteLine(line);
            output.Flush();
            if (output is ResilientWriter { IsBroken: true })
            {
                Gone = pipe?.ReaderGone() == true ? "stdout's reader went away (broken pipe)" : "stdout cannot be written (closed or full)";
                return false;
            }

            if (pipe is not null && !await pipe.WaitUntilReadAsync(cancellationToken).ConfigureAwait(false))
            {
                Gone = "stdout's reader went away (broken pipe) before reading the last line";
                return false;
            }
        }

        // Only what reached its reader is recorded: a restart resumes right after it.
        Last = position;
        settings.Checkpoint?.Save(new CheckpointRecord(position, binding, genesis, length));
        Emitted++;
        return true;
    }
}
