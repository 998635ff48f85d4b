using System.Text.RegularExpressions;
using System.Globalization;
using System.Text;

namespace FabricInvoke.Core.Errors;

/// <summary>Text that reaches a user's terminal or log: always one line, nothing a terminal would interpret.</summary>
internal static partial class Text
{
    /// <summary>
    /// Messages quote what the user typed (an address, a spec, a JSON key) and what a node said (a gRPC status
    /// detail, a chaincode message). Line breaks and control characters (ESC sequences) in them are shown escaped, so
    /// there is always exactly one <c>Error:</c> line that scripts can grep and nothing a terminal would interpret.
    /// </summary>
    public static string OneLine(string? message)
    {
        if (message is null || !message.Any(NeedsEscape))
        {
            return message ?? string.Empty;
        }

        var sb = new StringBuilder(message.Length + 8);
        foreach (var c in message)
        {
            _ = c switch
            {
                '\r' => sb.Append("\\r"),
                '\n' => sb.Append("\\n"),
                _ when NeedsEscape(c) => sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }

    /// <summary>The longest value a message quotes whole; a longer one is cut, and its length given.</summary>
    public const int MaxQuoted = 200;

    /// <summary>The longest message; a longer one (many long values) is cut, and its length given.</summary>
    public const int MaxMessage = 4000;

    /// <summary>
    /// A value as a message quotes it: on one line, and when longer than <see cref="MaxQuoted"/> characters, its start
    /// followed by "…" and its length — a 130 KB argument or variable must not become a 130 KB error line.
    /// </summary>
    public static string Shorten(string? value)
    {
        value ??= string.Empty;
        return value.Length <= MaxQuoted
            ? OneLine(value)
            : string.Create(CultureInfo.InvariantCulture, $"{OneLine(value[..MaxQuoted])}… ({value.Length} characters)");
    }

    /// <summary>
    /// A whole message made bounded: every single-quoted value in it longer than <see cref="MaxQuoted"/> is shortened
    /// (<see cref="Shorten"/>), and what is still longer than <see cref="MaxMessage"/> is cut with its length.
    /// </summary>
    public static string Bounded(string message)
    {
        if (message.Length <= MaxQuoted)
        {
            return message;
        }

        var text = LongQuoted().Replace(message, m => $"'{Shorten(m.Groups[1].Value)}'");
        return text.Length <= MaxMessage
            ? text
            : string.Create(CultureInfo.InvariantCulture, $"{text[..MaxMessage]}… ({text.Length} characters in all)");
    }

    [GeneratedRegex("'([^'\\r\\n]{201,})'", RegexOptions.CultureInvariant)]
    private static partial Regex LongQuoted();

    /// <summary>Formats a duration the way Fabric users write it (30s, 1.5s, 250ms).</summary>
    public static string Duration(TimeSpan d)
    {
        if (d.TotalSeconds >= 1 && d.TotalMilliseconds % 1000 == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(long)d.TotalSeconds}s");
        }

        if (d.TotalSeconds >= 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.###}s");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{d.TotalMilliseconds:0.###}ms");
    }

    private static bool NeedsEscape(char c) => (char.IsControl(c) && c != '\t') || c is '\u2028' or '\u2029';
}
