using AllianceFhir.Instruments.Extraction;

namespace AllianceFhir.Instruments.Tests.Extraction;

/// <summary>Completed years on the authored day, hand-computed; partial dates give the range of ages they allow.</summary>
public class SubjectAgeTests
{
    [Theory]
    [InlineData("2008-11-30", "2026-11-29", 17, 17)] // 17 years 364 days
    [InlineData("2008-11-30", "2026-11-30", 18, 18)] // 18 years 0 days: the birthday counts
    [InlineData("2008-11-30", "2026-11-30T00:30:00+01:00", 18, 18)] // the day as written, in the client's offset
    [InlineData("2008-11-30", "2026-11-29T23:30:00-05:00", 17, 17)]
    [InlineData("2008-02-29", "2026-02-28", 17, 17)] // a 29 February birthday is reached on 1 March
    [InlineData("2008-02-29", "2026-03-01", 18, 18)]
    [InlineData("2008", "2026-06-15", 17, 18)] // born any day of 2008
    [InlineData("2008-11", "2026-11-15", 17, 18)]
    [InlineData("2008-05", "2026-11-15", 18, 18)]
    [InlineData("2011", "2026-06-15T10:00:00Z", 14, 15)]
    [InlineData("2008-11-30", "2026", 17, 18)] // a partial authored date widens the range too
    public void Age_in_completed_years(string birthDate, string authored, int min, int max)
    {
        var age = SubjectAge.At(birthDate, authored);

        Assert.True(age.IsKnown);
        Assert.Equal(min, age.MinYears);
        Assert.Equal(max, age.MaxYears);
    }

    [Theory]
    [InlineData(null, "2026-06-15", "no birthDate")]
    [InlineData("2008-11-30", null, "no authored date")]
    [InlineData("2030-01-01", "2026-06-15", "after the response date")]
    public void Unknown_ages_say_why(string? birthDate, string? authored, string why)
    {
        var age = SubjectAge.At(birthDate, authored);

        Assert.False(age.IsKnown);
        Assert.Contains(why, age.Unknown, StringComparison.Ordinal);
    }
}
