using System.Globalization;

namespace FabricInvoke.Core.Configuration;

/// <summary>Parses durations written the way Go (and so every Fabric operator) writes them: 30s, 100ms, 1m30s, 1.5h.</summary>
public static class GoDuration
{
    // Decimal, not double: Go's arithmetic is exact (integer nanoseconds), and doubles drift by a tick on long durations.
    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        ("ns", 0.01m),
        ("us", 10),
        ("µs", 10),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

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

        decimal ticks = 0;
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
            if (value > (TimeSpan.MaxValue.Ticks - ticks) / Units[match].Ticks)
            {
                return false;
            }

            ticks += value * Units[match].Ticks;
        }

        duration = TimeSpan.FromTicks((long)decimal.Floor(ticks));
        return true;
    }
}
