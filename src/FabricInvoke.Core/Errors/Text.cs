using System.Globalization;
using System.Text;

namespace FabricInvoke.Core.Errors;

/// <summary>Text that reaches a user's terminal or log: always one line, nothing a terminal would interpret.</summary>
internal static class Text
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
