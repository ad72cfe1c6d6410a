using System.Net;
using AllianceFhir.Api.Tests.Durability;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

/// <summary>
/// String search is accent-insensitive (R4 search.html, string: "normalized by case and accent") only where the runtime
/// has Unicode normalization (ICU). WebApplicationFactory hosts the app in the test's runtime, which has it whatever the
/// app's own settings say, so this runs the app as shipped: its own process, its own runtimeconfig. With
/// InvariantGlobalization on, "Müller" was indexed with its accent and a search for "muller" found nothing.
/// </summary>
public sealed class ShippedRuntimeSearchTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("alliancefhir-runtime-").FullName;

    [Fact]
    public async Task The_shipped_app_finds_accented_names_without_their_accents()
    {
        await using var api = await ApiProcess.StartAsync(Path.Combine(_directory, "fhir.db"), _directory, TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var patient = new Patient { Name = [new HumanName { Family = "Müller" }] };
        using var created = await client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(patient));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadAsAsync<Patient>()).Id;

        foreach (var query in new[] { "muller", "MULLER", "müller", "Mül" })
        {
            using var response = await client.GetAsync($"/fhir/Patient?family={Uri.EscapeDataString(query)}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var bundle = await response.ReadAsAsync<Bundle>();
            Assert.True(bundle.Entry.Count == 1 && bundle.Entry[0].Resource?.Id == id, $"family={query} found {bundle.Entry.Count} patients");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
