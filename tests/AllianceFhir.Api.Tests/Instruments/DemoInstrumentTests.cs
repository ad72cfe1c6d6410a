using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Instruments;

/// <summary>
/// TRC-5 is AllianceFhir's own demonstration instrument, not a validated one: a draft, seeded only with
/// <c>Instruments:Demo=true</c> (environment <c>Instruments__Demo=true</c>), and withdrawn when a server that had it
/// starts without the setting.
/// </summary>
public sealed class DemoInstrumentTests : IDisposable
{
    private const string Trc5 = "http://alliancefhir.org/fhir/Questionnaire/trc-5|1.0.0";

    // Outside the first application's folder, which it deletes when it stops.
    private readonly string _copy = Path.Combine(Path.GetTempPath(), $"alliancefhir-demo-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Without_the_demo_setting_trc5_is_not_served_populated_or_scored()
    {
        using var app = new FhirApplication();
        var client = app.CreateClient();

        await AssertNotServedAsync(client, HttpStatusCode.NotFound, "demo-off");
    }

    [Fact]
    public async Task With_the_demo_setting_trc5_is_a_draft_that_scores()
    {
        using var app = new FhirApplication().With("Instruments:Demo", "true");
        var client = app.CreateClient();
        await InstrumentResponses.StoreSubjectAsync(client, "demo-on");

        var questionnaire = await InstrumentResponses.FetchAsync(client, "trc-5");
        Assert.Equal(PublicationStatus.Draft, questionnaire.Status);
        Assert.True(questionnaire.Experimental);
        using var created = await client.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Choices(questionnaire, "demo-on", 4, 4, 4, 4, 4));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1, await CountAsync(client, "Observation?subject=Patient/demo-on&code=http://alliancefhir.org/fhir/CodeSystem/alliance-score|trc-5-total"));
    }

    [Fact]
    public async Task A_restart_without_the_demo_setting_withdraws_the_seeded_trc5()
    {
        using (var first = new FhirApplication().With("Instruments:Demo", "true"))
        {
            using var read = await first.CreateClient().GetAsync("/fhir/Questionnaire/trc-5");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            CopyDatabase(first.DatabasePath, _copy);
        }

        using var second = new FhirApplication().With("ConnectionStrings:Fhir", $"Data Source={_copy}");

        // The stored copy is deleted, so a read says Gone; nothing can be scored against it any more.
        await AssertNotServedAsync(second.CreateClient(), HttpStatusCode.Gone, "demo-restart");
    }

    private static async Task AssertNotServedAsync(HttpClient client, HttpStatusCode read, string patient)
    {
        await InstrumentResponses.StoreSubjectAsync(client, patient);

        using var get = await client.GetAsync("/fhir/Questionnaire/trc-5");
        Assert.Equal(read, get.StatusCode);
        using var populate = await client.GetAsync($"/fhir/Questionnaire/trc-5/$populate?subject=Patient/{patient}");
        Assert.Equal(read, populate.StatusCode);
        Assert.IsType<OperationOutcome>(await populate.ReadAsAsync<Resource>());

        var response = new QuestionnaireResponse
        {
            Questionnaire = Trc5,
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Subject = new ResourceReference($"Patient/{patient}"),
            Authored = "2026-03-02T10:00:00Z",
            Item = [InstrumentResponses.Answer("1", new Coding("http://alliancefhir.org/fhir/CodeSystem/alliance-answer", "completely"))],
        };
        using var submitted = await client.PostAsync("/fhir/QuestionnaireResponse", response);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, submitted.StatusCode);
        var outcome = await submitted.ReadAsAsync<OperationOutcome>();
        Assert.Contains(outcome.Issue, i => i.Diagnostics?.Contains("trc-5|1.0.0", StringComparison.Ordinal) == true);
        Assert.Equal(0, await CountAsync(client, $"QuestionnaireResponse?subject=Patient/{patient}"));
        Assert.Equal(0, await CountAsync(client, $"Observation?subject=Patient/{patient}"));
    }

    private static async Task<int> CountAsync(HttpClient client, string search)
    {
        var bundle = await (await client.GetAsync($"/fhir/{search}")).ReadAsAsync<Bundle>();
        return bundle.Entry.Count;
    }

    /// <summary>A consistent copy of a live database, write-ahead log included.</summary>
    private static void CopyDatabase(string from, string to)
    {
        using var source = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={from};Pooling=False");
        using var target = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={to};Pooling=False");
        source.Open();
        target.Open();
        source.BackupDatabase(target);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _copy, _copy + "-wal", _copy + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }
}
