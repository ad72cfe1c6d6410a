using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Import;

/// <summary>
/// Batches of two writes, so nearly every line lands in the batch after one still committing: a line that updates a
/// resource, matches a response's identifier, or refers to a resource of that batch must see it as stored, and a line
/// refused meanwhile is reported once.
/// </summary>
public sealed class ImportBatchOrderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "alliancefhir-tests", Guid.NewGuid().ToString("N"));
    private readonly FhirApplication _app;
    private readonly HttpClient _client;

    public ImportBatchOrderTests()
    {
        _app = new FhirApplication()
            .With("Import:BatchSize", "2")
            .With("Import:Folder", _folder)
            .With("Import:PollMilliseconds", "100");
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Lines_over_resources_of_the_batch_before_see_them_committed()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "order0");
        var wai = await InstrumentResponses.FetchAsync(_client, "wai-sr");
        QuestionnaireResponse Form(int answer)
        {
            var response = InstrumentResponses.Choices(wai, "order2", [.. Enumerable.Repeat(answer, 12)]);
            response.Identifier = new Identifier("http://clinic.example.org/forms", "order-form");
            return response;
        }

        Observation Pulse(string patient) => new()
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "8867-4"),
            Subject = new ResourceReference($"Patient/{patient}"),
        };

        var lines = new[]
        {
            Json(Patients.WithId("order1", "First")),
            Json(Patients.WithId("order2")),
            Json(Pulse("order2")),
            Json(Patients.WithId("order1", "Second")),
            Json(Form(1)),
            Json(Form(3)),
            Json(Pulse("order-nobody")),
            Json(Patients.WithId("order1", "Third")),
        };

        using var start = await ImportClient.UploadAsync(_client, string.Join('\n', lines));
        var manifest = await ImportClient.ManifestAsync(_client, ImportClient.Accepted(start));

        Assert.Equal(7, ImportClient.Count(manifest, 0));
        var patient = await (await _client.GetAsync("/fhir/Patient/order1")).ReadAsAsync<Patient>();
        Assert.Equal("3", patient.Meta?.VersionId);
        Assert.Equal("Third", patient.Name[0].Family);
        var forms = await (await _client.GetAsync("/fhir/QuestionnaireResponse?identifier=http://clinic.example.org/forms|order-form")).ReadAsAsync<Bundle>();
        var form = Assert.IsType<QuestionnaireResponse>(Assert.Single(forms.Entry).Resource);
        Assert.Equal("2", form.Meta?.VersionId);
        Assert.Equal(1, await ImportClient.TotalAsync(_client, "Observation?code=http://loinc.org|8867-4&subject=Patient/order2"));

        var error = Assert.Single(manifest.GetProperty("error").EnumerateArray());
        Assert.Equal(1, error.GetProperty("count").GetInt64());
        using var errors = await _client.GetAsync(new Uri(error.GetProperty("url").GetString()!).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, errors.StatusCode);
        var refused = Assert.Single((await errors.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("line 7 (Observation)", FhirSerialization.JsonDeserializer.DeserializeResource(refused) is OperationOutcome outcome ? outcome.Issue[0].Details!.Text : string.Empty, StringComparison.Ordinal);
    }

    private static string Json(Resource resource) => FhirSerialization.JsonSerializer.SerializeToString(resource);
}
