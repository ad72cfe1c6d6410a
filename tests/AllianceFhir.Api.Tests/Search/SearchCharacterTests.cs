using System.Net;
using System.Text;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Http;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

/// <summary>
/// Fuzz finding: a control character in a search value (<c>name=%00</c>) was a 500 on every path a search arrives
/// by, because the outcome quoting it could not be written as XML, and a form body ASP.NET Core could not decode was an
/// unknown exception. R4 strings cannot hold control characters, so the search is a 400 naming the parameter.
/// </summary>
public sealed class SearchCharacterTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string Refusal = "cannot contain control characters";

    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData("/fhir/Patient?name=%00", "name")]
    [InlineData("/fhir/Patient?name=a%01b&_format=xml", "name")]
    [InlineData("/fhir/Patient?_lastUpdated=%00&_format=xml", "_lastUpdated")]
    [InlineData("/fhir/Observation?subject:Patient.name=%1F", "subject:Patient.name")]
    [InlineData("/fhir/Patient?_has:Observation:subject:code=%7F%00", "_has:Observation:subject:code")]
    [InlineData("/fhir/Patient?unknown-param=%00&_format=xml", "unknown-param")]
    [InlineData("/fhir?_type=Patient%00&_format=xml", "_type")]
    [InlineData("/fhir?_id=%00", "_id")]
    [InlineData("/fhir/Patient?_cursor=%00", "_cursor")]
    public async Task A_control_character_in_a_search_value_is_400_naming_the_parameter(string url, string parameter)
    {
        using var response = await _client.GetAsync(url);

        var outcome = await response.AssertRefusedAsync(_client, Refusal);
        Assert.Contains($"'{parameter}'", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_control_character_in_a_parameter_name_is_400_quoting_it_printably()
    {
        using var response = await _client.GetAsync("/fhir/Patient?na%00me=x&_format=xml");

        var outcome = await response.AssertRefusedAsync(_client, Refusal);
        Assert.Contains("'na\\u0000me'", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name=%00")]
    [InlineData("name=%01")]
    [InlineData("birthdate=%0B1990")]
    public async Task A_control_character_in_a_form_search_is_400(string form)
    {
        using var response = await _client.PostAsync("/fhir/Patient/_search", new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));

        var outcome = await response.AssertRefusedAsync(_client, "");
        Assert.Matches("control characters|form body", outcome.Issue[0].Diagnostics);
    }

    [Fact]
    public async Task A_control_character_in_If_None_Exist_is_400_and_creates_nothing()
    {
        var before = await _client.StoredVersionsAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(Patients.WithMrn(Clinical.NewMrn())) };
        request.Headers.TryAddWithoutValidation("If-None-Exist", "identifier=%01");

        using var response = await _client.SendAsync(request);

        await response.AssertRefusedAsync(_client, Refusal);
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    [Fact]
    public async Task A_control_character_in_a_conditional_update_is_400_and_stores_nothing()
    {
        var before = await _client.StoredVersionsAsync();

        using var response = await _client.PutAsync("/fhir/Patient?identifier=%02", Patients.WithMrn(Clinical.NewMrn()));

        await response.AssertRefusedAsync(_client, Refusal);
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    [Fact]
    public async Task A_transaction_whose_If_None_Exist_holds_a_control_character_is_400_and_stores_nothing()
    {
        var before = await _client.StoredVersionsAsync();
        var bundle = BundleBuilder.Transaction().Post(Patients.WithMrn(Clinical.NewMrn()), BundleBuilder.NewUrn(), ifNoneExist: "name=%00").Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        await response.AssertRefusedAsync(_client, Refusal);
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }

    [Fact]
    public async Task A_batch_GET_entry_with_a_control_character_fails_alone()
    {
        var bundle = BundleBuilder.Batch().Get("Patient?name=%00").Get("Patient?name=a0").Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(["400 Bad Request", "200 OK"], result.Entry.Select(e => e.Response!.Status));
        Assert.Contains(Refusal, Assert.IsType<OperationOutcome>(result.Entry[0].Response!.Outcome).Issue[0].Diagnostics, StringComparison.Ordinal);
    }
}
