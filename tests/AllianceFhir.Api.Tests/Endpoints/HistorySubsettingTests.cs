using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

/// <summary>
/// `_summary` and `_elements` on a history apply to the versions in it, each marked SUBSETTED (R4 search.html#summary,
/// #elements); the history Bundle itself, its links and every entry's request/response stay whole.
/// </summary>
public class HistorySubsettingTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string SubsettedSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

    private readonly HttpClient _client = app.CreateClient();

    /// <summary>A patient with two versions; both carry a name, a birth date and a marital status.</summary>
    private async Task<string> PatientWithTwoVersionsAsync()
    {
        var patient = new Patient
        {
            Name = [new HumanName { Family = "Historic" }],
            BirthDate = "1970-01-01",
            MaritalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "M"),
        };
        using var created = await _client.PostAsync("/fhir/Patient", patient);
        var id = (await created.ReadAsAsync<Patient>()).Id!;
        patient.Id = id;
        patient.Name[0].Family = "Historic-2";
        using var updated = await _client.PutAsync($"/fhir/Patient/{id}", patient);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        return id;
    }

    private static void AssertSubsetted(Resource resource) =>
        Assert.Contains(resource.Meta?.Tag ?? [], t => t.System == SubsettedSystem && t.Code == "SUBSETTED");

    private static void AssertWholeHistoryEntries(Bundle bundle, int expected)
    {
        Assert.Equal(Bundle.BundleType.History, bundle.Type);
        Assert.Contains(bundle.Link, l => l.Relation == "self");
        Assert.Equal(expected, bundle.Entry.Count);
        Assert.All(bundle.Entry, e =>
        {
            Assert.NotNull(e.FullUrl);
            Assert.NotNull(e.Request);
            Assert.NotNull(e.Response?.Etag);
        });
    }

    [Fact]
    public async Task Instance_history_elements_trims_each_version_not_the_bundle()
    {
        var id = await PatientWithTwoVersionsAsync();

        using var response = await _client.GetAsync($"/fhir/Patient/{id}/_history?_elements=name");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = await response.ReadAsAsync<Bundle>();
        AssertWholeHistoryEntries(bundle, 2);
        Assert.Equal(["Historic-2", "Historic"], bundle.Entry.Select(e => ((Patient)e.Resource!).Name[0].Family));
        Assert.All(bundle.Entry, e =>
        {
            var patient = Assert.IsType<Patient>(e.Resource);
            Assert.Equal(id, patient.Id);
            Assert.Null(patient.BirthDate);
            Assert.Null(patient.MaritalStatus);
            AssertSubsetted(patient);
        });
    }

    [Fact]
    public async Task Instance_history_summary_true_keeps_summary_elements_of_each_version()
    {
        var id = await PatientWithTwoVersionsAsync();

        using var response = await _client.GetAsync($"/fhir/Patient/{id}/_history?_summary=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = await response.ReadAsAsync<Bundle>();
        AssertWholeHistoryEntries(bundle, 2);
        Assert.All(bundle.Entry, e =>
        {
            var patient = Assert.IsType<Patient>(e.Resource);
            Assert.NotEmpty(patient.Name);
            Assert.Equal("1970-01-01", patient.BirthDate);
            Assert.Null(patient.MaritalStatus);
            AssertSubsetted(patient);
        });
    }

    [Fact]
    public async Task Summary_false_leaves_history_whole_and_untagged()
    {
        var id = await PatientWithTwoVersionsAsync();

        var bundle = await (await _client.GetAsync($"/fhir/Patient/{id}/_history?_summary=false")).ReadAsAsync<Bundle>();

        AssertWholeHistoryEntries(bundle, 2);
        Assert.All(bundle.Entry, e =>
        {
            var patient = Assert.IsType<Patient>(e.Resource);
            Assert.NotNull(patient.MaritalStatus);
            Assert.DoesNotContain(patient.Meta?.Tag ?? [], t => t.Code == "SUBSETTED");
        });
    }

    [Fact]
    public async Task A_deleted_version_stays_in_a_subsetted_history()
    {
        var id = await PatientWithTwoVersionsAsync();
        using var deleted = await _client.DeleteAsync($"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var bundle = await (await _client.GetAsync($"/fhir/Patient/{id}/_history?_elements=name")).ReadAsAsync<Bundle>();

        AssertWholeHistoryEntries(bundle, 3);
        Assert.Equal(Bundle.HTTPVerb.DELETE, bundle.Entry[0].Request!.Method);
        Assert.Null(bundle.Entry[0].Resource);
        Assert.All(bundle.Entry.Skip(1), e => AssertSubsetted(e.Resource!));
    }

    [Theory]
    [InlineData("/fhir/Patient/{0}/_history?_summary=count")]
    [InlineData("/fhir/Patient/_history?_summary=count")]
    [InlineData("/fhir/_history?_summary=count")]
    [InlineData("/fhir/_history?_summary=everything")]
    public async Task History_refuses_a_summary_it_cannot_honour_with_an_outcome(string template)
    {
        var id = await PatientWithTwoVersionsAsync();

        using var response = await _client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, id));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains("_summary", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Type_history_elements_applies_to_every_version()
    {
        await PatientWithTwoVersionsAsync();

        var bundle = await (await _client.GetAsync("/fhir/Patient/_history?_elements=name&_count=2")).ReadAsAsync<Bundle>();

        AssertWholeHistoryEntries(bundle, 2);
        Assert.Contains(bundle.Link, l => l.Relation == "next" && l.Url!.Contains("_elements=name", StringComparison.Ordinal));
        Assert.All(bundle.Entry, e =>
        {
            var patient = Assert.IsType<Patient>(e.Resource);
            Assert.NotEmpty(patient.Name);
            Assert.Null(patient.BirthDate);
            AssertSubsetted(patient);
        });
    }

    [Fact]
    public async Task System_history_elements_applies_to_every_version_of_every_type()
    {
        await PatientWithTwoVersionsAsync();

        // meta alone: id, meta and each type's mandatory elements stay, so every entry still parses as its type.
        var bundle = await (await _client.GetAsync("/fhir/_history?_elements=meta&_count=3")).ReadAsAsync<Bundle>();

        AssertWholeHistoryEntries(bundle, 3);
        Assert.All(bundle.Entry, e => AssertSubsetted(e.Resource!));
    }

    [Fact]
    public async Task Xml_history_with_elements_keeps_its_entries()
    {
        var id = await PatientWithTwoVersionsAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{id}/_history?_elements=name");
        request.Headers.Accept.Add(FhirHttp.Accept(FhirHttp.Xml));

        using var response = await _client.SendAsync(request);

        Assert.Equal(FhirHttp.Xml, response.Content.Headers.ContentType?.MediaType);
        var bundle = await response.ReadAsAsync<Bundle>();
        AssertWholeHistoryEntries(bundle, 2);
        Assert.All(bundle.Entry, e =>
        {
            var patient = Assert.IsType<Patient>(e.Resource);
            Assert.NotEmpty(patient.Name);
            Assert.Null(patient.BirthDate);
            AssertSubsetted(patient);
        });
    }
}
