using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Xunit.Abstractions;

namespace AllianceFhir.Api.Tests.Bundles;

/// <summary>
/// The transaction Bundles of the official R4 examples, run against the server. Each test starts its own database,
/// because the examples use fixed ids and identifiers. Adaptations, each explained where it is made:
/// <list type="bullet">
/// <item>Bundle-bundle-transaction entry 7 (<c>POST ValueSet/$lookup</c>) is an operation, which this server does not
/// offer: run unchanged it must fail the whole transaction; the success run leaves it out.</item>
/// <item>Bundle-bundle-transaction entries 4 and 9 need Patient/123a at version 2 and Patient/12334 to exist: seeded.</item>
/// <item>Bundle-ussg-fht uses absolute request.urls on hl7.org, which is not this server: run unchanged it must fail;
/// the success run makes them relative (<c>Questionnaire/54127-6</c>).</item>
/// <item>Bundle-bundle-response is a transaction-response, not a request: it must be refused with 400.</item>
/// </list>
/// </summary>
public class BundleConformanceTests(ITestOutputHelper output)
{
    private const string Transaction = "Bundle-bundle-transaction.json";
    private const string Questionnaire = "Bundle-ussg-fht.json";

    [SkippableFact]
    public async Task Every_example_bundle_gets_a_fhir_answer_and_never_a_server_error()
    {
        var folder = BundleExamples.Folder();

        using var app = new FhirApplication();
        using var client = app.CreateClient();
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var bundle = BundleExamples.Load(folder, Path.GetFileName(file));

            using var response = await client.PostBundleAsync(bundle);

            output.WriteLine($"{Path.GetFileName(file)} ({bundle.Type}): {(int)response.StatusCode}");
            Assert.True((int)response.StatusCode < 500, $"{file}: {response.StatusCode}");
            if (bundle.Type is not (Bundle.BundleType.Transaction or Bundle.BundleType.Batch))
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            }

            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(bundle.Entry.Count, (await response.ReadAsAsync<Bundle>()).Entry.Count);
            }
            else
            {
                await response.ReadAsAsync<OperationOutcome>();
            }
        }
    }

    [SkippableFact]
    public async Task Transaction_example_fails_as_a_whole_on_its_operation_entry()
    {
        var folder = BundleExamples.Folder();

        using var app = new FhirApplication();
        using var client = app.CreateClient();
        await SeedAsync(client);

        using var response = await client.PostBundleAsync(BundleExamples.Load(folder, Transaction));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.StartsWith("Bundle.entry[7] (fullUrl urn:uuid:79378cb8-8f58-48e8-a5e8-60ac2755b674)", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        using var notCreated = await client.GetAsync("/fhir/Patient/123");
        Assert.Equal(HttpStatusCode.NotFound, notCreated.StatusCode);
        using var notUpdated = await client.GetAsync("/fhir/Patient/123a");
        Assert.Equal("W/\"2\"", notUpdated.ETag());
    }

    [SkippableFact]
    public async Task Transaction_example_without_the_operation_entry_succeeds()
    {
        var folder = BundleExamples.Folder();

        using var app = new FhirApplication();
        using var client = app.CreateClient();
        await SeedAsync(client);
        var bundle = BundleExamples.Load(folder, Transaction);
        bundle.Entry.RemoveAt(7);

        using var response = await client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(Bundle.BundleType.TransactionResponse, result.Type);
        Assert.Equal(
            ["201 Created", "201 Created", "201 Created", "201 Created", "200 OK", "204 No Content", "204 No Content", "200 OK", "200 OK"],
            result.Entry.Select(e => e.Response!.Status));
        Assert.Equal("Patient/123/_history/1", result.Entry[2].Response!.Location);
        Assert.Equal("Patient/123a/_history/3", result.Entry[4].Response!.Location);

        // GET Patient?name=peter runs after the writes and sees the five Peters this transaction wrote.
        var searchset = Assert.IsType<Bundle>(result.Entry[7].Resource);
        Assert.Equal(5, searchset.Entry.Count);
        Assert.Equal("12334", result.Entry[8].Resource!.Id);

        // The conditional create (ifNoneExist on an identifier nobody has) created; running it again matches it.
        using var again = await client.PostBundleAsync(BundleBuilder.Transaction()
            .Post(new Patient { Active = true }, ifNoneExist: bundle.Entry[1].Request!.IfNoneExist).Bundle);
        Assert.Equal("200 OK", (await again.ReadAsAsync<Bundle>()).Entry[0].Response!.Status);
    }

    [SkippableFact]
    public async Task Transaction_example_as_a_batch_reports_the_operation_entry_and_stores_the_rest()
    {
        var folder = BundleExamples.Folder();

        using var app = new FhirApplication();
        using var client = app.CreateClient();
        await SeedAsync(client);
        var bundle = BundleExamples.Load(folder, Transaction);
        bundle.Type = Bundle.BundleType.Batch;

        using var response = await client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(Bundle.BundleType.BatchResponse, result.Type);
        Assert.Equal(
            ["201 Created", "201 Created", "201 Created", "201 Created", "200 OK", "204 No Content", "204 No Content", "400 Bad Request", "200 OK", "200 OK"],
            result.Entry.Select(e => e.Response!.Status));
        Assert.IsType<OperationOutcome>(result.Entry[7].Response!.Outcome);
        using var created = await client.GetAsync("/fhir/Patient/123");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
    }

    [SkippableFact]
    public async Task Questionnaire_example_with_foreign_absolute_urls_fails_and_with_relative_urls_is_stored()
    {
        var folder = BundleExamples.Folder();

        using var app = new FhirApplication();
        using var client = app.CreateClient();
        var bundle = BundleExamples.Load(folder, Questionnaire);

        using var unchanged = await client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.BadRequest, unchanged.StatusCode);
        Assert.StartsWith("Bundle.entry[0]", (await unchanged.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);

        foreach (var entry in bundle.Entry)
        {
            var url = new Uri(entry.Request!.Url!);
            entry.Request.Url = string.Join('/', url.Segments[^2..]).Replace("//", "/", StringComparison.Ordinal);
        }

        using var relative = await client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, relative.StatusCode);
        var result = await relative.ReadAsAsync<Bundle>();
        Assert.All(result.Entry, e => Assert.Equal("201 Created", e.Response!.Status));
        var stored = await (await client.GetAsync("/fhir/Questionnaire/54127-6")).ReadAsAsync<Questionnaire>();
        Assert.Equal("http://hl7.org/fhir/us/sdc/Questionnaire/54127-6", stored.Url);

        // http fullUrls are not rewritten inside canonicals: answerValueSet keeps pointing at the ValueSets' canonical form.
        var original = (Questionnaire)bundle.Entry[0].Resource!;
        Assert.Equal(AnswerValueSets(original), AnswerValueSets(stored));
        using var valueSet = await client.GetAsync("/fhir/ValueSet/LL1-9");
        Assert.Equal(HttpStatusCode.OK, valueSet.StatusCode);
    }

    private static List<string?> AnswerValueSets(Questionnaire questionnaire)
    {
        var result = new List<string?>();
        void Walk(IEnumerable<Questionnaire.ItemComponent> items)
        {
            foreach (var item in items)
            {
                result.Add(item.AnswerValueSet);
                Walk(item.Item);
            }
        }

        Walk(questionnaire.Item);
        return result;
    }

    /// <summary>What entries 4 (PUT Patient/123a with ifMatch W/"2") and 9 (GET Patient/12334) expect to exist.</summary>
    private static async Task SeedAsync(HttpClient client)
    {
        var patient = new Patient { Id = "123a", Name = [new HumanName { Family = "Seed" }] };
        (await client.PutAsync("/fhir/Patient/123a", patient)).Dispose();
        (await client.PutAsync("/fhir/Patient/123a", patient)).Dispose();
        using var second = await client.PutAsync("/fhir/Patient/12334", new Patient { Id = "12334", Name = [new HumanName { Family = "Seed" }] });
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
    }
}
