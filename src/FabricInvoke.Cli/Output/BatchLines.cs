using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FabricInvoke.Core.Batch;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// The results of <c>chaincode invoke --batch</c>: one JSON object per input line, in the order they finish, on stdout
/// or in --output-file. Keys (a public contract, docs/batch.md): <c>line</c>, <c>id</c> (when given), <c>txid</c>,
/// <c>status</c>, <c>block</c>, <c>peers</c> (address → validation code), <c>elapsed_ms</c>, <c>skipped</c> (when the
/// line was not sent: "journal", "invalid"), <c>attempts</c>, and on failure <c>error</c> (the object a single invoke's
/// <c>--output json</c> prints) and <c>exit_code</c>.
/// </summary>
internal sealed class BatchLines : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly TextWriter _output;
    private readonly bool _ownsOutput;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    private BatchLines(TextWriter output, bool ownsOutput)
    {
        _output = output;
        _ownsOutput = ownsOutput;
    }

    /// <summary>Results to <paramref name="file"/> (created or truncated), or to <paramref name="stdout"/> when null.</summary>
    /// <exception cref="Core.Errors.FabricInvokeException">Config: the file cannot be created.</exception>
    public static BatchLines Open(string? file, TextWriter stdout)
    {
        if (file is null)
        {
            return new BatchLines(stdout, ownsOutput: false);
        }

        try
        {
            var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            return new BatchLines(new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = false }, ownsOutput: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Core.Errors.Failures.Config(file, $"cannot create the --output-file ({e.Message})", e);
        }
    }

    /// <summary>The exit code a line's outcome stands for (0 when VALID).</summary>
    public static int ExitCodeOf(BatchOutcome outcome) => outcome.Error is { } e ? ExitCodes.For(e.Kind) : ExitCodes.Success;

    /// <summary>Writes one result line (flushed: a reader sees each line as soon as its transaction is done).</summary>
    public void Write(BatchOutcome outcome)
    {
        _buffer.Clear();
        using (var w = new Utf8JsonWriter(_buffer, Options))
        {
            w.WriteStartObject();
            w.WriteNumber("line", outcome.Line);
            if (outcome.Id is not null)
            {
                w.WriteString("id", outcome.Id);
            }

            if (outcome.TxId is not null)
            {
                w.WriteString("txid", outcome.TxId);
            }
            else
            {
                w.WriteNull("txid");
            }

            w.WriteString("status", outcome.Status);
            if (outcome.Block is { } block)
            {
                w.WriteNumber("block", block);
            }

            w.WriteStartObject("peers");
            foreach (var commit in outcome.Commits)
            {
                w.WriteString(commit.Address, commit.CodeName);
            }

            w.WriteEndObject();
            w.WriteNumber("elapsed_ms", Math.Round(outcome.Elapsed.TotalMilliseconds, 3));
            if (outcome.Skipped is not null)
            {
                w.WriteString("skipped", outcome.Skipped);
            }

            w.WriteNumber("attempts", outcome.Attempts);
            if (outcome.Error is { } error)
            {
                var code = ExitCodeOf(outcome);
                w.WritePropertyName("error");
                JsonSerializer.Serialize(w, ErrorJson.From(error, code), CliJsonContext.Readable.ErrorJson);
                w.WriteNumber("exit_code", code);
            }

            w.WriteEndObject();
        }

        _output.WriteLine(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        _output.Flush();
    }

    /// <summary>The summary, the last line on stderr.</summary>
    public static string Summary(long lines, long valid, long failed, long skipped, long committed, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        return string.Create(CultureInfo.InvariantCulture,
            $"batch: {lines} lines, {valid} valid, {failed} failed, {skipped} skipped, {committed / seconds:0.0} tx/s in {elapsed.TotalSeconds:0.0}s");
    }

    public void Dispose()
    {
        if (_ownsOutput)
        {
            _output.Dispose();
        }
    }
}
