using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Monitoring;

/// <summary>
/// The ORS cut-off for the client's age on the response's authored date (Miller, Duncan et al. 2003: 25 for adults;
/// Duncan et al. 2006: 28 for ages 13–17), chosen from Patient.birthDate in the same write, and the same band in the
/// Observation, the change categories and the clinician page. Every case is hand-computed: a client born 2008-11-30 is
/// 17 years 364 days old on 2026-11-29 and 18 years 0 days on 2026-11-30.
/// </summary>
public sealed class OrsAgeBandTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string Score = "http://alliancefhir.org/fhir/CodeSystem/alliance-score";
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    // 17 years 364 days (the day before the 18th birthday, in the client's own offset): adolescent band, 26 < 28.
    [InlineData("ors-17y364d", "2008-11-30", "2026-11-29T23:30:00+01:00", 26, 28, "L", 13, 17)]
    // 18 years 0 days: the birthday counts, adult band, 26 ≥ 25.
    [InlineData("ors-18y0d", "2008-11-30", "2026-11-30T00:30:00+01:00", 26, 25, "N", 18, null)]
    // Exactly at the cut-off is not "below" it, in either band; 0.1 under is.
    [InlineData("ors-at-28", "2010-01-15", "2026-03-02T10:00:00Z", 28, 28, "N", 13, 17)]
    [InlineData("ors-under-28", "2010-01-15", "2026-03-02T10:00:00Z", 27.9, 28, "L", 13, 17)]
    [InlineData("ors-at-25", "1980-05-01", "2026-03-02T10:00:00Z", 25, 25, "N", 18, null)]
    [InlineData("ors-under-25", "1980-05-01", "2026-03-02T10:00:00Z", 24.9, 25, "L", 18, null)]
    // A birth year alone that leaves the band certain: born in 2011, 14 or 15 in June 2026 → 13–17; born in 1990 → adult.
    [InlineData("ors-year-teen", "2011", "2026-06-15T10:00:00Z", 27, 28, "L", 13, 17)]
    [InlineData("ors-year-adult", "1990", "2026-06-15T10:00:00Z", 27, 25, "N", 18, null)]
    public async Task The_cut_off_is_the_band_for_the_age_on_the_authored_date(
        string patient, string birthDate, string authored, double total, int cutOff, string interpretation, int ageLow, int? ageHigh)
    {
        var observation = await SubmitAsync(patient, birthDate, authored, (decimal)total);

        Assert.Equal((decimal)total, ((Quantity)observation.Value!).Value);
        Assert.Equal(interpretation, observation.Interpretation.Single().Coding.Single().Code);
        var range = observation.ReferenceRange.Single();
        Assert.Equal(cutOff, range.Low!.Value);
        Assert.Equal(ageLow, range.Age!.Low!.Value);
        Assert.Equal("a", range.Age.Low.Code);
        Assert.Equal(ageHigh, (int?)range.Age.High?.Value);
        Assert.Empty(observation.Note);
    }

    [Theory]
    // Born some time in 2008, answered mid-June 2026: 17 or 18, either side of the band edge.
    [InlineData("ors-year-ambiguous", "2008", "partial")]
    [InlineData("ors-no-birthdate", null, "no birthDate")]
    public async Task Without_a_known_age_the_adult_band_applies_and_the_observation_says_so(string patient, string? birthDate, string why)
    {
        // 26 would be clinical for a 17-year-old (< 28); the adult band, used because the age is unknown, says non-clinical.
        var observation = await SubmitAsync(patient, birthDate, "2026-06-15T10:00:00Z", 26m);

        Assert.Equal("N", observation.Interpretation.Single().Coding.Single().Code);
        Assert.Equal("non-clinical range (age 18 and over)", observation.Interpretation.Single().Text);
        var range = observation.ReferenceRange.Single();
        Assert.Equal(25m, range.Low!.Value);
        Assert.Equal(18m, range.Age!.Low!.Value);
        Assert.Null(range.Age.High);
        var note = Assert.Single(observation.Note).Text!;
        Assert.Contains("Age on the response date is unknown", note, StringComparison.Ordinal);
        Assert.Contains(why, note, StringComparison.Ordinal);
        Assert.Contains("the cut-off for age 18 and over (25) was used", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Change_categories_and_the_clinician_page_use_each_score_s_own_band()
    {
        // Intake at 17 with 26 (clinical for 13–17, < 28), then at 18 with 31 (+5, reliable; non-clinical for adults):
        // recovered. Judged by the adult band alone, 26 was never clinical and the category would be "improved".
        const string patient = "ors-turns-18";
        await SubmitAsync(patient, "2008-11-30", "2026-11-23T10:00:00Z", 26m);
        await SubmitAsync(patient, "2008-11-30", "2026-11-30T10:00:00Z", 31m);
        // A teenager throughout, from 22 to 27 (+5, reliable): still below 28, so improved, not recovered (it would be
        // recovered against the adult 25).
        const string teen = "ors-teen-improves";
        await SubmitAsync(teen, "2010-01-15", "2026-03-02T10:00:00Z", 22m);
        await SubmitAsync(teen, "2010-01-15", "2026-03-09T10:00:00Z", 27m);

        Assert.Equal("recovered", await ChangeCategoryAsync(patient));
        Assert.Equal("improved", await ChangeCategoryAsync(teen));

        var html = await (await _client.GetAsync($"/app/patients/{teen}")).Content.ReadAsStringAsync();
        Assert.Contains("cut-off 28", html, StringComparison.Ordinal);
        Assert.Contains("Cut-off 28: a score below it means clinical range (ages 13–17).", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cut-off 25", html, StringComparison.Ordinal);
        var both = await (await _client.GetAsync($"/app/patients/{patient}")).Content.ReadAsStringAsync();
        Assert.Contains("Cut-off 25: a score below it means clinical range (age 18 and over).", both, StringComparison.Ordinal);
        Assert.Contains("Cut-off 28: a score below it means clinical range (ages 13–17).", both, StringComparison.Ordinal);
    }

    private async Task<Observation> SubmitAsync(string patient, string? birthDate, string authored, decimal total)
    {
        // The encounter and a Patient without birthDate first, then the Patient under test in its place.
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        var subject = Patients.WithId(patient);
        subject.BirthDate = birthDate;
        using (var stored = await _client.PutAsync($"/fhir/Patient/{patient}", subject))
        {
            Assert.True(stored.IsSuccessStatusCode, $"PUT Patient/{patient} answered {(int)stored.StatusCode}");
        }

        var ors = await InstrumentResponses.FetchAsync(_client, "ors");
        var response = InstrumentResponses.Decimals(ors, patient, Lines(total));
        response.Authored = authored;
        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadAsAsync<QuestionnaireResponse>()).Id;
        var found = await (await _client.GetAsync($"/fhir/Observation?derived-from=QuestionnaireResponse/{id}&code={Score}|ors-total")).ReadAsAsync<Bundle>();
        return Assert.IsType<Observation>(Assert.Single(found.Entry).Resource);
    }

    /// <summary>Four ORS lines (0–10, one decimal) adding up to the total: filled from the first line on.</summary>
    private static decimal[] Lines(decimal total)
    {
        var lines = new decimal[4];
        for (var i = 0; i < 4; i++)
        {
            lines[i] = Math.Min(10m, total);
            total -= lines[i];
        }

        return lines;
    }

    private async Task<string> ChangeCategoryAsync(string patient)
    {
        var found = await (await _client.GetAsync($"/fhir/Observation?subject=Patient/{patient}&code={Score}|ors-change-intake")).ReadAsAsync<Bundle>();
        var change = Assert.IsType<Observation>(Assert.Single(found.Entry).Resource);
        return change.Interpretation.Single().Coding.Single().Code!;
    }
}
