using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Bundles;

/// <summary>Write hooks inside transactions: they run per entry, see the transaction's own resources, and roll back with it.</summary>
public class TransactionHookTests(HookedFhirApplication app) : IClassFixture<HookedFhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private async Task<List<Observation>> DerivedObservationsOfAsync(string encounterId)
    {
        var history = await _client.SearchAsync("/fhir/Observation/_history?_count=1000");
        return [.. history.Entry
            .Select(e => e.Resource)
            .OfType<Observation>()
            .Where(o => o.Encounter?.Reference == $"Encounter/{encounterId}")];
    }

    [Fact]
    public async Task A_hook_sees_a_patient_created_in_the_same_transaction_and_its_derived_write_is_committed()
    {
        var patientUrn = BundleBuilder.NewUrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Clinical.VisitOf(patientUrn))
            .Post(Patients.WithMrn(Clinical.NewMrn()), patientUrn)
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        var encounterId = BundleHttp.IdFromLocation(result.Entry[0].Response!.Location);
        var patientId = BundleHttp.IdFromLocation(result.Entry[1].Response!.Location);
        var derived = Assert.Single(await DerivedObservationsOfAsync(encounterId));
        Assert.Equal($"Patient/{patientId}", derived.Subject!.Reference);
    }

    [Fact]
    public async Task A_hook_rejection_fails_the_transaction_with_its_status_and_names_the_entry()
    {
        var mrn = Clinical.NewMrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(mrn))
            .Post(Clinical.VisitOf("Patient/nobody"), "urn:uuid:3e9d2c1b-0a4f-4b5e-8c7d-6e5f4a3b2c1d")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.StartsWith("Bundle.entry[1] (fullUrl urn:uuid:3e9d2c1b-0a4f-4b5e-8c7d-6e5f4a3b2c1d): The subject Patient/nobody", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Contains("Encounter.subject", outcome.Issue[0].Expression);
        Assert.Empty((await _client.SearchAsync($"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}")).Entry);
    }

    [Fact]
    public async Task Resources_a_hook_derived_are_rolled_back_with_the_transaction()
    {
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(Clinical.NewMrn()));
        var patient = await created.ReadAsAsync<Patient>();
        var encounterId = $"hooked-{Guid.NewGuid():N}";
        var encounter = Clinical.VisitOf($"Patient/{patient.Id}");
        encounter.Id = encounterId;
        var bundle = BundleBuilder.Transaction()
            .Put($"Encounter/{encounterId}", encounter)
            .Put($"Patient/{patient.Id}", patient, ifMatch: "W/\"5\"")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Empty(await DerivedObservationsOfAsync(encounterId));
        using var read = await _client.GetAsync($"/fhir/Encounter/{encounterId}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);

        // The same entry alone goes through, derived Observation included: the rollback above was the transaction's.
        using var alone = await _client.PostBundleAsync(BundleBuilder.Transaction().Put($"Encounter/{encounterId}", encounter).Bundle);
        Assert.Equal(HttpStatusCode.OK, alone.StatusCode);
        Assert.Single(await DerivedObservationsOfAsync(encounterId));
    }

    [Fact]
    public async Task Batch_entries_run_the_hook_each_on_their_own()
    {
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(Clinical.NewMrn()));
        var patient = await created.ReadAsAsync<Patient>();
        var bundle = BundleBuilder.Batch()
            .Post(Clinical.VisitOf($"Patient/{patient.Id}"))
            .Post(Clinical.VisitOf("Patient/nobody"))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(["201 Created", "422 Unprocessable Entity"], result.Entry.Select(e => e.Response!.Status));
        Assert.Single(await DerivedObservationsOfAsync(BundleHttp.IdFromLocation(result.Entry[0].Response!.Location)));
    }
}
