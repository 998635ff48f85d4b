using System.Buffers.Text;
using System.Text;

namespace FabricInvoke.Core.Identity;

/// <summary>
/// The one PEM reader of fabinvoke (every certificate, key and TLS file goes through <see cref="Parse"/>), and
/// Go-compatible PEM writing.
/// </summary>
/// <remarks>
/// Reading follows RFC 7468's lax rules, as .NET's <see cref="System.Security.Cryptography.PemEncoding"/> does (it
/// finds the same blocks in every text without RFC 1421 headers; a property test checks that): text around and
/// between blocks is ignored, a BEGIN line must start the text or follow white space, the END line must name the
/// same label and be followed by white space or the end, and the base64 may be wrapped anywhere. Unlike it, this
/// reader takes RFC 1421 headers before the base64 (as Go's <c>encoding/pem</c>, and so Fabric, does: the old
/// OpenSSL encryption headers must be seen to be reported), reports damaged blocks instead of skipping them silently
/// (so a caller can say "malformed" rather than "none found"), and runs in linear time: <c>PemEncoding</c> searches
/// the rest of the text again for every BEGIN line without an END, which takes about 10 s for a 1 MiB file of BEGIN
/// lines.
/// </remarks>
internal static class PemText
{
    private const string BeginPrefix = "-----BEGIN ";
    private const string EndPrefix = "-----END ";
    private const string Dashes = "-----";

    /// <summary>Every PEM block in <paramref name="text"/>, in order, damaged ones included.</summary>
    public static IReadOnlyList<PemBlock> Parse(ReadOnlySpan<char> text)
    {
        var blocks = new List<PemBlock>();
        var searchFrom = 0;

        // The first END prefix at or after the current block's content. Blocks only move forward, so it is searched
        // for again only once the search has passed it: that keeps the whole parse linear.
        var nextEnd = -2;
        while (true)
        {
            var begin = IndexOf(text, BeginPrefix, searchFrom);
            if (begin < 0)
            {
                break;
            }

            var labelStart = begin + BeginPrefix.Length;
            if (begin > 0 && !IsWhiteSpace(text[begin - 1]))
            {
                searchFrom = labelStart;
                continue;
            }

            var labelEnd = IndexOf(text, Dashes, labelStart);
            if (labelEnd < 0)
            {
                // No BEGIN line can be completed anywhere after this point.
                break;
            }

            var label = text[labelStart..labelEnd];
            if (!IsValidLabel(label))
            {
                searchFrom = labelEnd;
                continue;
            }

            var contentStart = labelEnd + Dashes.Length;
            if (nextEnd != -1 && nextEnd < contentStart)
            {
                nextEnd = IndexOf(text, EndPrefix, contentStart);
            }

            if (nextEnd < 0)
            {
                blocks.Add(Damaged(label));
                break;
            }

            var endLabelStart = nextEnd + EndPrefix.Length;
            var blockEnd = endLabelStart + label.Length + Dashes.Length;
            var closes = text[endLabelStart..].StartsWith(label, StringComparison.Ordinal)
                && text[(endLabelStart + label.Length)..].StartsWith(Dashes, StringComparison.Ordinal)
                && (blockEnd == text.Length || IsWhiteSpace(text[blockEnd]));
            if (!closes)
            {
                // The next END line belongs to another block (or is glued to text): this BEGIN has no END of its own,
                // since base64 cannot hold the dashes of one. A valid block may still start inside what follows it.
                blocks.Add(Damaged(label));
                searchFrom = labelEnd;
                continue;
            }

            var block = Decode(label, text[contentStart..nextEnd]);
            blocks.Add(block);
            searchFrom = block.IsDamaged ? labelEnd : blockEnd;
        }

        return blocks;
    }

    /// <summary>
    /// The bytes of the first undamaged block labelled <paramref name="label"/>, or null;
    /// <paramref name="damaged"/> says whether a damaged block with that label came before or instead.
    /// </summary>
    public static byte[]? FindFirst(IReadOnlyList<PemBlock> blocks, string label, out bool damaged)
    {
        damaged = false;
        foreach (var block in blocks)
        {
            if (block.Label != label)
            {
                continue;
            }

            if (block.Data is { } data)
            {
                return data;
            }

            damaged = true;
        }

        return null;
    }

    /// <summary>
    /// Encodes like Go's <c>pem.EncodeToMemory</c>: 64-character base64 lines, <c>\n</c> line ends and a
    /// trailing newline. Fabric builds <c>SerializedIdentity.id_bytes</c> this way, so the creator (and the
    /// txid) only match the Go CLI's when the trailing newline is kept.
    /// </summary>
    public static byte[] EncodeGoStyle(string label, ReadOnlySpan<byte> der)
    {
        var base64 = Convert.ToBase64String(der);
        var sb = new StringBuilder(base64.Length + (base64.Length / 64) + (2 * label.Length) + 40);
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (var i = 0; i < base64.Length; i += 64)
        {
            sb.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
        }

        sb.Append("-----END ").Append(label).Append("-----\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static PemBlock Damaged(ReadOnlySpan<char> label) => new(label.ToString(), [], null);

    /// <summary>
    /// RFC 1421 headers (leading lines that hold a colon, which base64 never does, ended by a blank line), then the
    /// base64 body. Without the blank line the lines are not headers but a damaged body: OpenSSL always writes it, and
    /// a stray colon in the base64 is then damage, as .NET's reader sees it too.
    /// </summary>
    private static PemBlock Decode(ReadOnlySpan<char> label, ReadOnlySpan<char> content)
    {
        List<KeyValuePair<string, string>>? headers = null;
        var rest = content;
        while (true)
        {
            var start = 0;
            while (start < rest.Length && IsWhiteSpace(rest[start]))
            {
                start++;
            }

            var lineLength = rest[start..].IndexOf('\n');
            var line = lineLength < 0 ? rest[start..] : rest.Slice(start, lineLength);
            var colon = line.IndexOf(':');
            if (colon < 0 || lineLength < 0)
            {
                break;
            }

            headers ??= [];
            headers.Add(new(line[..colon].Trim().ToString(), line[(colon + 1)..].Trim().ToString()));
            rest = rest[(start + lineLength + 1)..];
        }

        if (headers is not null && !StartsWithBlankLine(rest))
        {
            headers = null;
        }

        var data = TryDecodeBase64(headers is null ? content : rest);
        return new PemBlock(label.ToString(), (IReadOnlyList<KeyValuePair<string, string>>?)headers ?? [], data);
    }

    private static bool StartsWithBlankLine(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '\r')
        {
            i++;
        }

        return i < text.Length && text[i] == '\n';
    }

    /// <summary>
    /// Base64 as .NET's own PEM reader takes it (<see cref="Base64.IsValid(ReadOnlySpan{char}, out int)"/>): white
    /// space anywhere, padding only at the end, and unused bits of the last character zero, as every encoder writes
    /// them.
    /// </summary>
    private static byte[]? TryDecodeBase64(ReadOnlySpan<char> body)
    {
        if (!Base64.IsValid(body, out var length))
        {
            return null;
        }

        var data = new byte[length];
        return Convert.TryFromBase64Chars(body, data, out var written) && written == length ? data : null;
    }

    /// <summary>
    /// RFC 7468: printable ASCII except hyphen-minus, single spaces or hyphens allowed between them; the empty label
    /// is allowed too.
    /// </summary>
    private static bool IsValidLabel(ReadOnlySpan<char> label)
    {
        var previousIsLabelChar = false;
        foreach (var c in label)
        {
            if (c is > ' ' and <= '~' and not '-')
            {
                previousIsLabelChar = true;
            }
            else if (c is ' ' or '-' && previousIsLabelChar)
            {
                previousIsLabelChar = false;
            }
            else
            {
                return false;
            }
        }

        return label.IsEmpty || previousIsLabelChar;
    }

    /// <summary>The white space base64 decoding skips (RFC 7468's lax rules, and <see cref="Convert"/>'s).</summary>
    private static bool IsWhiteSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static int IndexOf(ReadOnlySpan<char> text, string value, int from)
    {
        var at = text[from..].IndexOf(value, StringComparison.Ordinal);
        return at < 0 ? -1 : at + from;
    }
}
