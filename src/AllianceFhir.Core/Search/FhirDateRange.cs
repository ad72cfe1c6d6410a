using System.Globalization;
using System.Text.RegularExpressions;

namespace AllianceFhir.Core.Search;

/// <summary>
/// The UTC instant range [Start, End] (both inclusive, tick resolution) that a FHIR date, dateTime or instant
/// covers at its precision: <c>2026</c> is the whole year, <c>2026-03</c> all of March,
/// <c>2026-03-05T10:15</c> that minute.
/// </summary>
/// <remarks>
/// A value without a time zone (a date, or a dateTime the sender left unzoned) is read as UTC. R4 leaves the zone
/// of such values to the server; UTC keeps index rows and search ranges the same on every machine and in every
/// process, where the host's local zone would make them depend on where the server happens to run.
/// </remarks>
public readonly partial record struct FhirDateRange(DateTime Start, DateTime End)
{
    public static readonly FhirDateRange Unbounded = new(DateTime.MinValue, DateTime.MaxValue);

    public static bool TryParse(string? text, out FhirDateRange range)
    {
        range = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var m = DatePattern().Match(text);
        if (!m.Success)
        {
            return false;
        }

        try
        {
            var year = int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture);
            if (year < 1)
            {
                return false;
            }

            if (!m.Groups["M"].Success)
            {
                var start = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
                range = Days(start, DateTime.IsLeapYear(year) ? 366 : 365);
                return true;
            }

            var month = int.Parse(m.Groups["M"].Value, CultureInfo.InvariantCulture);
            if (!m.Groups["d"].Success)
            {
                var start = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
                range = Days(start, DateTime.DaysInMonth(year, month));
                return true;
            }

            var day = int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture);
            if (!m.Groups["h"].Success)
            {
                var start = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
                range = Days(start, 1);
                return true;
            }

            var hour = int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture);
            var minute = int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture);
            var ticks = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified).Ticks;
            long unit;
            if (!m.Groups["s"].Success)
            {
                unit = TimeSpan.TicksPerMinute;
            }
            else
            {
                // FHIR's time allows 60 for a leap second.
                var second = int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture);
                if (second > 60)
                {
                    return false;
                }

                ticks += second * TimeSpan.TicksPerSecond;
                var fraction = m.Groups["f"].Value;
                if (fraction.Length == 0)
                {
                    unit = TimeSpan.TicksPerSecond;
                }
                else
                {
                    // Precision beyond 100 ns is not representable; such digits narrow the range to one tick.
                    var digits = Math.Min(fraction.Length, 7);
                    unit = (long)Math.Pow(10, 7 - digits);
                    ticks += long.Parse(fraction[..digits], CultureInfo.InvariantCulture) * unit;
                }
            }

            // Counted in ticks and held to DateTime's span: 9999-12-31T23:59:60Z or 0001-01-01T00:00+01:00 are valid
            // FHIR, but their UTC instants fall outside what DateTime holds, and adding to it threw.
            var utcStart = ticks - ParseOffset(m.Groups["tz"].Value).Ticks;
            range = new FhirDateRange(Clamp(utcStart), Clamp(utcStart + unit - 1));
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            // Month 13, February 30th, hour 25, …: well-formed text, impossible date.
            return false;
        }
    }

    /// <summary>
    /// The range of the given number of whole days from <paramref name="start"/>, in ticks: the days of year 9999 end at
    /// DateTime's last tick, where adding a year or a month to its start threw.
    /// </summary>
    private static FhirDateRange Days(DateTime start, int days) =>
        new(start, Clamp(start.Ticks + (days * TimeSpan.TicksPerDay) - 1));

    private static DateTime Clamp(long ticks) =>
        new(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);

    private static TimeSpan ParseOffset(string tz)
    {
        if (tz.Length == 0 || tz == "Z")
        {
            return TimeSpan.Zero;
        }

        var sign = tz[0] == '-' ? -1 : 1;
        var hours = int.Parse(tz.AsSpan(1, 2), CultureInfo.InvariantCulture);
        var minutes = int.Parse(tz.AsSpan(4, 2), CultureInfo.InvariantCulture);
        if (hours > 14 || minutes > 59)
        {
            throw new ArgumentOutOfRangeException(nameof(tz));
        }

        return sign * new TimeSpan(hours, minutes, 0);
    }

    [GeneratedRegex(
        @"^(?<y>\d{4})(-(?<M>\d{2})(-(?<d>\d{2})(T(?<h>\d{2}):(?<m>\d{2})(:(?<s>\d{2})(\.(?<f>\d+))?)?(?<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();
}
