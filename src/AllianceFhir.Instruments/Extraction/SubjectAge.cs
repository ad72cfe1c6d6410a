using System.Globalization;

namespace AllianceFhir.Instruments.Extraction;

/// <summary>
/// The subject's age in completed years on the day a response was authored. FHIR dates may be partial (a year, a
/// year and month), so the age is a range: <see cref="MinYears"/> and <see cref="MaxYears"/> are equal when the dates
/// pin it down. When nothing is known, <see cref="Unknown"/> says why in words a clinician can read.
/// </summary>
public sealed record SubjectAge(int? MinYears, int? MaxYears, string? Unknown)
{
    public bool IsKnown => MinYears is not null && MaxYears is not null;

    public static SubjectAge NotKnown(string why) => new(null, null, why);

    /// <summary>
    /// Age from <paramref name="birthDate"/> (FHIR <c>date</c>) at <paramref name="authored"/> (FHIR <c>dateTime</c>).
    /// The authored day is the calendar date as written, in the offset it was written in: that is the client's day.
    /// </summary>
    public static SubjectAge At(string? birthDate, string? authored)
    {
        if (string.IsNullOrWhiteSpace(birthDate))
        {
            return NotKnown("the patient has no birthDate");
        }

        if (string.IsNullOrWhiteSpace(authored))
        {
            return NotKnown("the response has no authored date");
        }

        if (Span(birthDate) is not { } born || Span(authored) is not { } at)
        {
            return NotKnown("the birthDate or authored date could not be read");
        }

        if (born.Earliest > at.Latest)
        {
            return NotKnown("the birthDate is after the response date");
        }

        // Youngest: born as late as the birthDate allows, answered as early as the authored date allows.
        var min = Math.Max(0, Years(born.Latest, at.Earliest));
        var max = Math.Max(0, Years(born.Earliest, at.Latest));
        return new SubjectAge(min, max, null);
    }

    /// <summary>Completed years: the birthday itself counts (18 years 0 days is 18); a 29 February birthday falls on 1 March.</summary>
    public static int Years(DateOnly birth, DateOnly on)
    {
        var years = on.Year - birth.Year;
        return (on.Month, on.Day).CompareTo((birth.Month, birth.Day)) < 0 ? years - 1 : years;
    }

    /// <summary>The first and last calendar day a (partial) FHIR date or dateTime can mean.</summary>
    private static (DateOnly Earliest, DateOnly Latest)? Span(string value)
    {
        var date = value.Length > 10 ? value[..10] : value;
        var parts = date.Split('-');
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var year) || parts[0].Length != 4 || year < 1)
        {
            return null;
        }

        if (parts.Length == 1)
        {
            return (new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var month) || month is < 1 or > 12)
        {
            return null;
        }

        if (parts.Length == 2)
        {
            return (new DateOnly(year, month, 1), new DateOnly(year, month, DateTime.DaysInMonth(year, month)));
        }

        return DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (day, day)
            : null;
    }
}
