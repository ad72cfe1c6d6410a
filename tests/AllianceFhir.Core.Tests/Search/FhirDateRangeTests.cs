using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Tests.Search;

public class FhirDateRangeTests
{
    [Theory]
    [InlineData("2026", "2026-01-01T00:00:00.0000000Z", "2026-12-31T23:59:59.9999999Z")]
    [InlineData("2026-03", "2026-03-01T00:00:00.0000000Z", "2026-03-31T23:59:59.9999999Z")]
    [InlineData("2024-02", "2024-02-01T00:00:00.0000000Z", "2024-02-29T23:59:59.9999999Z")]
    [InlineData("2026-03-05", "2026-03-05T00:00:00.0000000Z", "2026-03-05T23:59:59.9999999Z")]
    [InlineData("2026-03-05T10:15", "2026-03-05T10:15:00.0000000Z", "2026-03-05T10:15:59.9999999Z")]
    [InlineData("2026-03-05T10:15:30Z", "2026-03-05T10:15:30.0000000Z", "2026-03-05T10:15:30.9999999Z")]
    [InlineData("2026-03-05T10:15:30.25Z", "2026-03-05T10:15:30.2500000Z", "2026-03-05T10:15:30.2599999Z")]
    [InlineData("2026-03-05T10:15:30+02:00", "2026-03-05T08:15:30.0000000Z", "2026-03-05T08:15:30.9999999Z")]
    [InlineData("2026-03-05T01:00:00-05:30", "2026-03-05T06:30:00.0000000Z", "2026-03-05T06:30:00.9999999Z")]
    // No zone: read as UTC (see FhirDateRange remarks).
    [InlineData("2026-03-05T10:15:30", "2026-03-05T10:15:30.0000000Z", "2026-03-05T10:15:30.9999999Z")]
    // The first and last years DateTime holds; instants past its ends are held at them.
    [InlineData("9999", "9999-01-01T00:00:00.0000000Z", "9999-12-31T23:59:59.9999999Z")]
    [InlineData("9999-12", "9999-12-01T00:00:00.0000000Z", "9999-12-31T23:59:59.9999999Z")]
    [InlineData("9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999999Z")]
    [InlineData("0001", "0001-01-01T00:00:00.0000000Z", "0001-12-31T23:59:59.9999999Z")]
    [InlineData("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00.0000000Z", "0001-01-01T00:00:00.0000000Z")]
    // A leap second (FHIR allows :60) is the first second of the next minute.
    [InlineData("2026-12-31T23:59:60Z", "2027-01-01T00:00:00.0000000Z", "2027-01-01T00:00:00.9999999Z")]
    public void Precision_sets_the_range_in_utc(string text, string start, string end)
    {
        Assert.True(FhirDateRange.TryParse(text, out var range));
        Assert.Equal(start, range.Start.ToString("O"));
        Assert.Equal(end, range.End.ToString("O"));
        Assert.Equal(DateTimeKind.Utc, range.Start.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("26-03")]
    [InlineData("2026-13")]
    [InlineData("2026-02-30")]
    [InlineData("2026-03-05T25:00")]
    [InlineData("2026-03-05T10:15:30+15:00")]
    [InlineData("2026-03-05T10:15:61Z")]
    [InlineData("0000")]
    [InlineData("2026/03/05")]
    [InlineData("yesterday")]
    public void Malformed_or_impossible_dates_are_rejected(string text)
    {
        Assert.False(FhirDateRange.TryParse(text, out _));
    }
}
