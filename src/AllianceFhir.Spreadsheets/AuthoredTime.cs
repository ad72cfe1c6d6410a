using System.Globalization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Spreadsheets;

/// <summary>
/// A row's date, optional time and optional zone as a FHIR dateTime. A time without a zone is the clinic's local time
/// (Import:ClinicTimeZone), with that zone's offset on that day; a local time that a daylight-saving change skips does
/// not exist and is refused rather than shifted.
/// </summary>
public static class AuthoredTime
{
    private static readonly string[] TimeFormats = ["H:mm", "HH:mm", "H:mm:ss", "HH:mm:ss"];

    /// <summary>The authored time, or the column and reason it cannot be one.</summary>
    public static (FhirDateTime? Value, string? Column, string? Error) Parse(SpreadsheetRow row, SpreadsheetSettings settings, DateTimeOffset now)
    {
        var dateText = row[ImportColumns.Date];
        if (dateText is null)
        {
            return (null, ImportColumns.Date, "the date is missing");
        }

        var timeText = row[ImportColumns.Time];
        // An .xlsx date cell with a time in it arrives as yyyy-MM-ddTHH:mm:ss.
        if (timeText is null && dateText.Length > 10 && dateText[10] == 'T')
        {
            timeText = dateText[11..];
            dateText = dateText[..10];
        }

        if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return (null, ImportColumns.Date, $"'{dateText}' is not a calendar date written yyyy-MM-dd");
        }

        if (date.Year < 1900 || date > DateOnly.FromDateTime(now.UtcDateTime.AddDays(1)))
        {
            return (null, ImportColumns.Date, $"{dateText} is not a possible date for a response (in the future, or before 1900)");
        }

        if (timeText is null)
        {
            return (new FhirDateTime(dateText), null, null);
        }

        if (!TimeOnly.TryParseExact(timeText, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return (null, ImportColumns.Time, $"'{timeText}' is not a time of day written HH:mm or HH:mm:ss");
        }

        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        var zoneText = row[ImportColumns.TimeZone];
        TimeSpan offset;
        if (zoneText is null || !TryParseOffset(zoneText, out offset))
        {
            var zoneId = zoneText ?? settings.ClinicTimeZone;
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone))
            {
                return (null, ImportColumns.TimeZone, $"'{zoneId}' is neither a time zone id (e.g. Europe/Zurich) nor an offset (+01:00)");
            }

            if (zone.IsInvalidTime(local))
            {
                return (null, ImportColumns.Time, $"{timeText} on {dateText} does not exist in {zoneId} (a daylight-saving change skips it)");
            }

            offset = zone.GetUtcOffset(local);
        }

        var authored = new DateTimeOffset(local, offset);
        if (authored > now.AddDays(1))
        {
            return (null, ImportColumns.Date, $"{dateText} {timeText} is in the future");
        }

        return (new FhirDateTime(authored), null, null);
    }

    private static bool TryParseOffset(string text, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (text is "Z" or "z")
        {
            return true;
        }

        if (text.Length == 6 && text[0] is '+' or '-'
            && TimeSpan.TryParseExact(text[1..], "hh\\:mm", CultureInfo.InvariantCulture, out var magnitude)
            && magnitude <= TimeSpan.FromHours(14))
        {
            offset = text[0] == '-' ? -magnitude : magnitude;
            return true;
        }

        return false;
    }
}
