using System.Globalization;

namespace FabricInvoke.Core.Configuration;

/// <summary>Parses durations written the way Go (and so every Fabric operator) writes them: 30s, 100ms, 1m30s, 1.5h.</summary>
internal static class GoDuration
{
    // Exact, as Go's integer nanoseconds: doubles drift by a tick on long durations.
    private static readonly (string Unit, decimal Nanoseconds)[] Units =
    [
        ("ns", 1m),
        ("us", 1_000m),
        ("µs", 1_000m),
        ("ms", 1_000_000m),
        ("s", 1_000_000_000m),
        ("m", 60_000_000_000m),
        ("h", 3_600_000_000_000m),
    ];

    private static readonly decimal MaxNanoseconds = TimeSpan.MaxValue.Ticks * 100m;

    /// <summary>Parses <paramref name="text"/>; returns false for anything Go's time.ParseDuration would refuse, and for negatives.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s == "0")
        {
            return true;
        }

        decimal nanoseconds = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            var match = Array.FindIndex(Units, u => u.Unit == unit);
            if (match < 0)
            {
                return false;
            }

            // Checked before multiplying: decimal arithmetic throws on overflow.
            if (value > (MaxNanoseconds - nanoseconds) / Units[match].Nanoseconds)
            {
                return false;
            }

            // Go truncates each term to whole nanoseconds (1.5ns1.5ns is 2ns), then we truncate to 100ns ticks.
            nanoseconds += decimal.Floor(value * Units[match].Nanoseconds);
        }

        duration = TimeSpan.FromTicks((long)decimal.Floor(nanoseconds / 100));
        return true;
    }
}
