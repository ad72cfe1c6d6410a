using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Bundles;

/// <summary>Transactions racing on one resource: as for single updates, If-Match picks one winner; without it all go through.</summary>
public sealed class TransactionConcurrencyTests : IDisposable
{
    private readonly FhirApplication _app = new();

    [Fact]
    public async Task Racing_transactions_with_the_same_if_match_let_exactly_one_commit()
    {
        var client = _app.CreateClient();
        using var created = await client.PostAsync("/fhir/Patient", Patients.WithMrn(Clinical.NewMrn()));
        var patient = await created.ReadAsAsync<Patient>();
        var code = $"race-{Guid.NewGuid():N}";

        var statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            var copy = (Patient)patient.DeepCopy();
            copy.Name[0].Family = $"Writer{i}";
            var bundle = BundleBuilder.Transaction()
                .Post(Clinical.ScoreFor($"Patient/{patient.Id}", code: code))
                .Put($"Patient/{patient.Id}", copy, ifMatch: "W/\"1\"")
                .Bundle;
            using var response = await _app.CreateClient().PostBundleAsync(bundle);
            return response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.PreconditionFailed));
        // Only the winner's Observation exists: the losers' creates were rolled back with their transactions.
        Assert.Single((await client.SearchAsync($"/fhir/Observation?code={code}")).Entry);
        var history = await client.SearchAsync($"/fhir/Patient/{patient.Id}/_history");
        Assert.Equal(["2", "1"], history.Entry.Select(e => e.Resource!.Meta!.VersionId));
    }

    [Fact]
    public async Task Racing_transactions_without_if_match_all_commit_as_consecutive_versions()
    {
        var client = _app.CreateClient();
        using var created = await client.PostAsync("/fhir/Patient", Patients.WithMrn(Clinical.NewMrn()));
        var patient = await created.ReadAsAsync<Patient>();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            var copy = (Patient)patient.DeepCopy();
            copy.Name[0].Family = $"Writer{i}";
            using var response = await _app.CreateClient().PostBundleAsync(BundleBuilder.Transaction().Put($"Patient/{patient.Id}", copy).Bundle);
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var history = await client.SearchAsync($"/fhir/Patient/{patient.Id}/_history");
        Assert.Equal(["5", "4", "3", "2", "1"], history.Entry.Select(e => e.Resource!.Meta!.VersionId));
    }

    public void Dispose() => _app.Dispose();
}
