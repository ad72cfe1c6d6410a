using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Instruments;

/// <summary>The shipped instruments and code systems are read-only through the API, on every write path.</summary>
public sealed class CatalogProtectionTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string SrsUrl = "http://alliancefhir.org/fhir/Questionnaire/srs";
    private const string MaxValue = "http://hl7.org/fhir/StructureDefinition/maxValue";
    private readonly HttpClient _client = app.CreateClient();

    /// <summary>The shipped SRS with item 1's maximum raised to 1000: the rewrite that once made 500 score.</summary>
    private async Task<Questionnaire> TamperedSrsAsync()
    {
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        srs.Item.Single(i => i.LinkId == "1").Extension.Single(e => e.Url == MaxValue).Value = new FhirDecimal(1000m);
        return srs;
    }

    private async Task AssertShippedSrsUnchangedAsync()
    {
        using var read = await _client.GetAsync("/fhir/Questionnaire/srs");
        Assert.Equal("W/\"1\"", read.ETag());
        var srs = await read.ReadAsAsync<Questionnaire>();
        Assert.Equal(10m, (srs.Item.Single(i => i.LinkId == "1").Extension.Single(e => e.Url == MaxValue).Value as FhirDecimal)?.Value);
    }

    private static async Task AssertCatalogRefusalAsync(HttpResponseMessage response, string action)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var issue = Assert.Single((await response.ReadAsAsync<OperationOutcome>()).Issue);
        Assert.Equal(OperationOutcome.IssueType.BusinessRule, issue.Code);
        Assert.Contains("instrument catalog", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Contains($"cannot be {action}", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Raising_a_shipped_maximum_is_409_and_an_out_of_range_answer_is_still_refused()
    {
        using var put = await _client.PutAsync("/fhir/Questionnaire/srs", await TamperedSrsAsync());

        await AssertCatalogRefusalAsync(put, "changed");
        await AssertShippedSrsUnchangedAsync();
        await InstrumentResponses.StoreSubjectAsync(_client, "catalog-1");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        using var response = await _client.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Decimals(srs, "catalog-1", 500m, 5m, 5m, 5m));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Theory]
    [InlineData("Questionnaire/srs")]
    [InlineData("Questionnaire/wai-sr")]
    [InlineData("CodeSystem/alliance-score")]
    [InlineData("CodeSystem/alliance-answer")]
    public async Task Deleting_a_shipped_resource_is_409_and_it_stays(string reference)
    {
        using var delete = await _client.DeleteAsync($"/fhir/{reference}");

        await AssertCatalogRefusalAsync(delete, "deleted");
        using var read = await _client.GetAsync($"/fhir/{reference}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("W/\"1\"", read.ETag());
    }

    [Fact]
    public async Task Changing_a_shipped_code_system_is_409()
    {
        var codeSystem = await (await _client.GetAsync("/fhir/CodeSystem/alliance-score")).ReadAsAsync<CodeSystem>();
        codeSystem.Concept[0].Display = "Renamed";

        using var put = await _client.PutAsync("/fhir/CodeSystem/alliance-score", codeSystem);

        await AssertCatalogRefusalAsync(put, "changed");
        var stored = await (await _client.GetAsync("/fhir/CodeSystem/alliance-score")).ReadAsAsync<CodeSystem>();
        Assert.NotEqual("Renamed", stored.Concept[0].Display);
    }

    [Fact]
    public async Task A_conditional_update_matching_a_shipped_questionnaire_is_409()
    {
        var tampered = await TamperedSrsAsync();
        tampered.Id = null;

        using var put = await _client.PutAsync($"/fhir/Questionnaire?url={Uri.EscapeDataString(SrsUrl)}&version=1.0.0", tampered);

        await AssertCatalogRefusalAsync(put, "changed");
        await AssertShippedSrsUnchangedAsync();
    }

    [Fact]
    public async Task A_transaction_changing_the_catalog_is_409_and_stores_nothing()
    {
        var mrn = $"catalog-tx-{Guid.NewGuid():N}";
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(mrn))
            .Put("Questionnaire/srs", await TamperedSrsAsync())
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("instrument catalog", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        await AssertShippedSrsUnchangedAsync();
        Assert.Empty((await _client.SearchAsync($"/fhir/Patient?identifier={Uri.EscapeDataString($"http://clinic.example.org/mrn|{mrn}")}")).Entry);
    }

    [Fact]
    public async Task A_batch_entry_changing_or_deleting_the_catalog_fails_alone()
    {
        var bundle = BundleBuilder.Batch()
            .Put("Questionnaire/srs", await TamperedSrsAsync())
            .Delete("CodeSystem/alliance-score")
            .Post(Patients.WithMrn($"catalog-batch-{Guid.NewGuid():N}"))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.StartsWith("409", result.Entry[0].Response!.Status, StringComparison.Ordinal);
        Assert.StartsWith("409", result.Entry[1].Response!.Status, StringComparison.Ordinal);
        Assert.StartsWith("201", result.Entry[2].Response!.Status, StringComparison.Ordinal);
        await AssertShippedSrsUnchangedAsync();
        using var codeSystem = await _client.GetAsync("/fhir/CodeSystem/alliance-score");
        Assert.Equal(HttpStatusCode.OK, codeSystem.StatusCode);
    }

    [Fact]
    public async Task Another_questionnaire_claiming_a_shipped_url_and_version_is_422()
    {
        var impostor = await TamperedSrsAsync();
        impostor.Id = null;

        using var post = await _client.PostAsync("/fhir/Questionnaire", impostor);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, post.StatusCode);
        var issue = Assert.Single((await post.ReadAsAsync<OperationOutcome>()).Issue);
        Assert.Equal(OperationOutcome.IssueType.BusinessRule, issue.Code);
        Assert.Contains("Questionnaire.version", issue.Expression);
        var byCanonical = await _client.SearchAsync($"/fhir/Questionnaire?url={Uri.EscapeDataString(SrsUrl)}&version=1.0.0");
        Assert.Equal("srs", Assert.Single(byCanonical.Entry).Resource!.Id);
    }

    [Fact]
    public async Task A_variant_under_its_own_version_is_accepted()
    {
        var variant = await TamperedSrsAsync();
        variant.Id = null;
        variant.Version = "1.0.0-clinic";

        using var post = await _client.PostAsync("/fhir/Questionnaire", variant);

        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        await AssertShippedSrsUnchangedAsync();
    }
}
