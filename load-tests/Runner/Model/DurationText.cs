using System.Globalization;

namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// Durations as people type them on the command line and in suite files: <c>30s</c>, <c>500ms</c>,
/// <c>2m</c>, <c>1m30s</c>, <c>1h</c>, <c>250us</c>; a bare number is seconds; <c>00:01:30</c> also works.
/// </summary>
public static class DurationText
{
    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> with the accepted forms.</summary>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var value))
        {
            return value;
        }

        throw new FormatException($"'{text}' is not a duration; write e.g. 30s, 500ms, 2m, 1m30s, 1h or a number of seconds.");
    }

    /// <summary>Parses <paramref name="text"/> without throwing.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.Trim();
        if (double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (!double.IsFinite(seconds) || seconds < 0)
            {
                return false;
            }

            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        if (span.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(span, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }

        var total = 0.0;
        var position = 0;
        while (position < span.Length)
        {
            var numberStart = position;
            while (position < span.Length && (char.IsAsciiDigit(span[position]) || span[position] == '.'))
            {
                position++;
            }

            var unitStart = position;
            while (position < span.Length && (char.IsAsciiLetter(span[position]) || span[position] == 'µ'))
            {
                position++;
            }

            if (numberStart == unitStart || unitStart == position
                || !double.TryParse(span.AsSpan(numberStart, unitStart - numberStart), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            double? factor = span[unitStart..position].ToLowerInvariant() switch
            {
                "h" => 3600,
                "m" or "min" => 60,
                "s" or "sec" => 1,
                "ms" => 1e-3,
                "us" or "µs" => 1e-6,
                _ => null,
            };
            if (factor is null)
            {
                return false;
            }

            total += number * factor.Value;
        }

        value = TimeSpan.FromSeconds(total);
        return true;
    }

    /// <summary>A short form: <c>30s</c>, <c>1m30s</c>, <c>250ms</c>, <c>1h</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        }

        if (value.Ticks % TimeSpan.TicksPerSecond != 0 || value < TimeSpan.FromMinutes(1))
        {
            return value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        var text = string.Empty;
        if (value.TotalHours >= 1)
        {
            text += ((long)value.TotalHours).ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (value.Minutes != 0)
        {
            text += value.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
        }

        if (value.Seconds != 0)
        {
            text += value.Seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        return text;
    }
}
