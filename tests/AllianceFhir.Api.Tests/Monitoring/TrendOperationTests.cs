using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Monitoring;

/// <summary>The shapes of Observation/$lastn and Patient/{id}/$alliance-summary promised in docs/monitoring.md.</summary>
public sealed class TrendOperationTests : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client;

    public TrendOperationTests(FhirApplication app) => _client = app.CreateClient();

    [Fact]
    public async Task Lastn_gives_the_newest_max_per_code_and_summary_the_series_cut_off_and_open_flags()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "trend-1");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        await SubmitAsync(srs, "2026-05-01T09:00:00Z", 10, 10, 10, 10); // 40
        await SubmitAsync(srs, "2026-05-08T09:00:00Z", 9, 9, 9, 8); // 35
        await SubmitAsync(srs, "2026-05-15T09:00:00Z", 8, 8, 8, 8); // 32

        using var lastn = await _client.GetAsync("/fhir/Observation/$lastn?patient=Patient/trend-1&code=http://alliancefhir.org/fhir/CodeSystem/alliance-score|srs-total&max=2");
        Assert.Equal(HttpStatusCode.OK, lastn.StatusCode);
        var bundle = await lastn.ReadAsAsync<Bundle>();
        Assert.Equal(Bundle.BundleType.Searchset, bundle.Type);
        Assert.Equal([32m, 35m], bundle.Entry.Select(e => ((Quantity)((Observation)e.Resource!).Value!).Value!.Value));

        using var all = await _client.GetAsync("/fhir/Observation/$lastn?subject=Patient/trend-1");
        var codes = (await all.ReadAsAsync<Bundle>()).Entry.Select(e => ((Observation)e.Resource!).Code!.Coding[0].Code).ToList();
        Assert.Equal(5, codes.Count); // total and four lines, one each
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());

        using var missing = await _client.GetAsync("/fhir/Observation/$lastn?code=x");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.IsType<OperationOutcome>(await missing.ReadAsAsync<OperationOutcome>());

        using var summary = await _client.GetAsync("/fhir/Patient/trend-1/$alliance-summary");
        Assert.Equal(HttpStatusCode.OK, summary.StatusCode);
        var parameters = await summary.ReadAsAsync<Parameters>();
        Assert.Equal("Patient/trend-1", ((ResourceReference)parameters.Parameter.Single(p => p.Name == "patient").Value!).Reference);
        var instrument = parameters.Parameter.Single(p => p.Name == "instrument");
        Assert.Equal("srs", ((Coding)instrument.Part.Single(p => p.Name == "code").Value!).Code);
        var total = instrument.Part.Where(p => p.Name == "score").Single(s => ((Coding)s.Part.Single(p => p.Name == "code").Value!).Code == "srs-total");
        Assert.Equal(36m, ((FhirDecimal)total.Part.Single(p => p.Name == "cutOff").Value!).Value);
        Assert.Equal("L", ((CodeableConcept)total.Part.Single(p => p.Name == "latestInterpretation").Value!).Coding.Single().Code);
        var points = total.Part.Where(p => p.Name == "point").ToList();
        Assert.Equal([40m, 35m, 32m], points.Select(p => ((FhirDecimal)p.Part.Single(x => x.Name == "value").Value!).Value!.Value));
        Assert.Equal("2026-05-01T09:00:00Z", ((FhirDateTime)points[0].Part.Single(x => x.Name == "effective").Value!).Value);
        var open = parameters.Parameter.Where(p => p.Name == "flag").Select(p => (Flag)p.Resource!).ToList();
        Assert.Contains(open, f => f.Code!.Coding[0].Code == "srs-total-low");
        Assert.All(open, f => Assert.Equal(Flag.FlagStatus.Active, f.Status));
        Assert.Contains(parameters.Parameter.Where(p => p.Name == "rule"), r => ((Code)r.Part.Single(p => p.Name == "id").Value!).Value == "srs-drop");

        using var unknown = await _client.GetAsync("/fhir/Patient/nobody/$alliance-summary");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task SubmitAsync(Questionnaire questionnaire, string authored, params decimal[] values)
    {
        var response = InstrumentResponses.Decimals(questionnaire, "trend-1", values);
        response.Authored = authored;
        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }
}
