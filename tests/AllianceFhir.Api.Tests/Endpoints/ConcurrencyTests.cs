using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly FhirApplication _app = new();

    [Fact]
    public async Task Parallel_updates_with_the_same_if_match_let_exactly_one_win()
    {
        var client = _app.CreateClient();
        using var created = await client.PostAsync("/fhir/Patient", Patients.WithMrn("race-1"));
        var patient = await created.ReadAsAsync<Patient>();

        var attempts = Enumerable.Range(0, 12).Select(async i =>
        {
            var copy = (Patient)patient.DeepCopy();
            copy.Name[0].Family = $"Writer{i}";
            using var response = await _app.CreateClient().PutAsync($"/fhir/Patient/{patient.Id}", copy, ifMatch: "W/\"1\"");
            return response.StatusCode;
        });
        var statuses = await Task.WhenAll(attempts);

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(11, statuses.Count(s => s == HttpStatusCode.PreconditionFailed));
        var history = await (await client.GetAsync($"/fhir/Patient/{patient.Id}/_history")).ReadAsAsync<Bundle>();
        Assert.Equal(["2", "1"], history.Entry.Select(e => e.Resource!.Meta!.VersionId));
    }

    [Fact]
    public async Task Parallel_updates_without_if_match_all_succeed_as_consecutive_versions()
    {
        var client = _app.CreateClient();
        using var created = await client.PostAsync("/fhir/Patient", Patients.WithMrn("race-2"));
        var patient = await created.ReadAsAsync<Patient>();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            var copy = (Patient)patient.DeepCopy();
            copy.Name[0].Family = $"Writer{i}";
            using var response = await _app.CreateClient().PutAsync($"/fhir/Patient/{patient.Id}", copy);
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var history = await (await client.GetAsync($"/fhir/Patient/{patient.Id}/_history")).ReadAsAsync<Bundle>();
        Assert.Equal(["5", "4", "3", "2", "1"], history.Entry.Select(e => e.Resource!.Meta!.VersionId));
    }

    public void Dispose() => _app.Dispose();
}
