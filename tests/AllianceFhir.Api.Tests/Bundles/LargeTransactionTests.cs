using System.Diagnostics;
using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Xunit.Abstractions;

namespace AllianceFhir.Api.Tests.Bundles;

public class LargeTransactionTests(FhirApplication app, ITestOutputHelper output) : IClassFixture<FhirApplication>
{
    // Enough to show that matching and reference rewriting hold up beyond a handful of entries; the full default
    // limit of 1000 works too but takes tens of seconds on a shared 2-core machine, mostly in the store's commit.
    private const int Pairs = 100;

    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task A_transaction_of_hundreds_of_linked_conditional_entries_commits_whole()
    {
        var builder = BundleBuilder.Transaction();
        var mrns = new List<string>();
        for (var i = 0; i < Pairs; i++)
        {
            var urn = BundleBuilder.NewUrn();
            var mrn = Clinical.NewMrn();
            mrns.Add(mrn);
            builder.Post(Patients.WithMrn(mrn), urn, ifNoneExist: $"identifier={Clinical.MrnSystem}|{mrn}");
            builder.Post(Clinical.ScoreFor(urn));
        }

        var watch = Stopwatch.StartNew();
        using var response = await _client.PostBundleAsync(builder.Bundle);
        output.WriteLine($"{2 * Pairs} entries: {watch.ElapsedMilliseconds} ms");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(2 * Pairs, result.Entry.Count);
        Assert.All(result.Entry, e => Assert.Equal("201 Created", e.Response!.Status));
        var lastPatient = BundleHttp.IdFromLocation(result.Entry[^2].Response!.Location);
        Assert.Equal($"Patient/{lastPatient}", ((Observation)result.Entry[^1].Resource!).Subject!.Reference);
        Assert.Single((await _client.SearchAsync($"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrns[^1]}")).Entry);
    }
}
