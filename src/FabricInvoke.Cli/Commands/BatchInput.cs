using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Batch;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// The input of <c>chaincode invoke --batch</c>: JSON Lines, each line a <c>-c</c> object (<c>{"Args":[…]}</c> or
/// <c>{"Function":"f","Args":[…]}</c>) with an optional <c>"transient"</c> object (as --transient) and <c>"id"</c>.
/// Checked in full when opened (line count, SHA-256 for the journal, every line parsed: a malformed line is reported
/// before anything is sent), then read again lazily, line by line, as the batch takes it. stdin is copied to a temporary
/// file first (deleted when closed), so it can be read twice with flat memory.
/// </summary>
internal sealed class BatchInput : IAsyncDisposable
{
    /// <summary>How many malformed lines an error names.</summary>
    private const int NamedProblems = 5;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Stream _stream;
    private readonly ChaincodeInvocation _template;

    private BatchInput(string name, Stream stream, ChaincodeInvocation template)
    {
        Name = name;
        _stream = stream;
        _template = template;
    }

    /// <summary>The file as messages name it (<c>stdin</c> for <c>-</c>).</summary>
    public string Name { get; }

    /// <summary>Lines in the input (blank ones included: line numbers count them).</summary>
    public long Lines { get; private set; }

    /// <summary>Lines that hold a transaction.</summary>
    public long Transactions { get; private set; }

    /// <summary>SHA-256 of the input's bytes, lowercase hex.</summary>
    public string Sha256 { get; private set; } = string.Empty;

    /// <summary>The malformed lines (the first few of them, with their problem).</summary>
    public List<FabricInvokeException> Malformed { get; } = [];

    /// <summary>How many lines are malformed.</summary>
    public long MalformedCount { get; private set; }

    /// <summary>Opens and checks the input; <paramref name="stdin"/> is read when the path is <c>-</c>.</summary>
    /// <exception cref="FabricInvokeException">Config: the file cannot be read.</exception>
    public static async Task<BatchInput> OpenAsync(string path, Func<Stream> stdin, ChaincodeInvocation template, CancellationToken cancellationToken)
    {
        Stream stream;
        string name;
        if (path == "-")
        {
            name = "stdin";
            var spool = Path.Combine(Path.GetTempPath(), $"fabinvoke-batch-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl");
            stream = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            try
            {
                await using var source = stdin();
                await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw Failures.Config("stdin", $"cannot read the batch input ({e.Message})", e);
            }
        }
        else
        {
            name = path;
            try
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failures.Config(path, $"cannot read the batch input ({(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)})", e);
            }
        }

        var input = new BatchInput(name, stream, template);
        try
        {
            await input.ScanAsync(cancellationToken).ConfigureAwait(false);
            return input;
        }
        catch
        {
            await input.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The first malformed line as one usage error (naming how many more there are), or null when there are none.</summary>
    public FabricInvokeException? MalformedError()
    {
        if (Malformed.Count == 0)
        {
            return null;
        }

        var more = MalformedCount - 1;
        var others = more == 0 ? string.Empty : $" ({more} more malformed line{(more == 1 ? "" : "s")}: {string.Join(", ", Malformed.Skip(1).Select(m => m.Targets[1]))}{(more > Malformed.Count - 1 ? ", …" : "")}; nothing was sent)";
        return Failures.Usage(Malformed[0].Message + (others.Length > 0 ? others : "; nothing was sent"));
    }

    private async Task ScanAsync(CancellationToken cancellationToken)
    {
        _stream.Position = 0;
        using (var sha = SHA256.Create())
        {
            var buffer = new byte[1 << 16];
            int n;
            long lines = 0;
            var last = (byte)'\n';
            while ((n = await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                sha.TransformBlock(buffer, 0, n, null, 0);
                lines += buffer.AsSpan(0, n).Count((byte)'\n');
                last = buffer[n - 1];
            }

            sha.TransformFinalBlock([], 0, 0);
            Lines = lines + (last == (byte)'\n' ? 0 : 1);
            Sha256 = Convert.ToHexStringLower(sha.Hash!);
        }

        await foreach (var item in ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Malformed is { } problem)
            {
                MalformedCount++;
                if (Malformed.Count < NamedProblems)
                {
                    Malformed.Add(problem);
                }
            }
            else
            {
                Transactions++;
            }
        }
    }

    /// <summary>Every non-blank line as a batch item (a malformed one carries its Usage failure), read as they are taken.</summary>
    public async IAsyncEnumerable<BatchItem> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _stream.Position = 0;
        using var reader = new StreamReader(_stream, StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        long number = 0;
        while (true)
        {
            string? text;
            var undecodable = false;
            try
            {
                text = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DecoderFallbackException)
            {
                text = null;
                undecodable = true;
            }

            if (undecodable)
            {
                number++;
                yield return new BatchItem(number, null, null, Problem(number, "not UTF-8 text"));
                // The reader cannot go on past bytes it cannot decode: the rest of the input is not read.
                yield break;
            }

            if (text is null)
            {
                yield break;
            }

            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            yield return Parse(number, text);
        }
    }

    private BatchItem Parse(long line, string text)
    {
        string? id = null;
        IReadOnlyList<KeyValuePair<string, byte[]>> transient = [];
        try
        {
            using (var doc = JsonDocument.Parse(text))
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return new BatchItem(line, null, null, Problem(line, "must be a JSON object such as {\"Args\":[\"Put\",\"k\",\"v\"]}"));
                }

                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    if (property.Name.Equals("id", StringComparison.OrdinalIgnoreCase))
                    {
                        if (property.Value.ValueKind != JsonValueKind.String)
                        {
                            return new BatchItem(line, null, null, Problem(line, "\"id\" must be a string"));
                        }

                        id = property.Value.GetString();
                    }
                    else if (property.Name.Equals("transient", StringComparison.OrdinalIgnoreCase))
                    {
                        transient = CtorJson.ParseTransient(property.Value.GetRawText());
                    }
                }
            }

            var args = CtorJson.ParseArgs(text);
            return new BatchItem(line, id, _template with { Args = args, Transient = transient });
        }
        catch (JsonException e)
        {
            return new BatchItem(line, id, null, Problem(line, $"not valid JSON ({(e.BytePositionInLine is { } p ? $"at position {p + 1}" : "malformed")})"));
        }
        catch (ArgumentException)
        {
            return new BatchItem(line, id, null, Problem(line, "not valid JSON (it holds an unpaired UTF-16 surrogate)"));
        }
        catch (FabricInvokeException e) when (e.Kind == FailureKind.Usage)
        {
            var problem = e.Message
                .Replace("chaincode argument error: ", string.Empty, StringComparison.Ordinal)
                .Replace("error parsing transient string: ", string.Empty, StringComparison.Ordinal)
                .Replace("-c/--ctor", "the line", StringComparison.Ordinal)
                .Replace("--transient", "\"transient\"", StringComparison.Ordinal);
            return new BatchItem(line, id, null, Problem(line, problem));
        }
    }

    private FabricInvokeException Problem(long line, string problem) =>
        new(FailureKind.Usage, $"--batch {Name} line {line}: {problem}") { Targets = [Name, line.ToString(System.Globalization.CultureInfo.InvariantCulture)] };

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
