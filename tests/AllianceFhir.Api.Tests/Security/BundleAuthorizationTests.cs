using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Security;

public class BundleAuthorizationTests(SecuredApp secured) : IClassFixture<SecuredApp>
{
    [Fact]
    public async Task A_transaction_with_one_forbidden_entry_stores_nothing()
    {
        using var admin = secured.ClientWithScopes(SecuredApp.FullAccess);
        using var client = secured.ClientWithScopes("user/Patient.c");
        var mrn = Guid.NewGuid().ToString("N");
        var transaction = ScopeMatrixTests.Transaction(
            Patients.WithMrn(mrn),
            new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://example.org/codes", mrn) });

        using var response = await client.PostAsync("/fhir", transaction);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueType.Forbidden, outcome.Issue[0].Code);
        Assert.Contains("Bundle.entry[1]", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Contains("user/Observation.c", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Empty(await ScopeMatrixTests.PatientsWithMrnAsync(admin, mrn));
        var observations = await (await admin.GetAsync($"/fhir/Observation?code={mrn}")).ReadAsAsync<Bundle>();
        Assert.Empty(observations.Entry);
    }

    [Fact]
    public async Task A_batch_answers_the_forbidden_entry_403_and_runs_the_rest()
    {
        using var admin = secured.ClientWithScopes(SecuredApp.FullAccess);
        using var client = secured.ClientWithScopes("user/Patient.cr");
        var mrn = Guid.NewGuid().ToString("N");
        var batch = ScopeMatrixTests.Transaction(
            Patients.WithMrn(mrn),
            new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://example.org/codes", mrn) });
        batch.Type = Bundle.BundleType.Batch;
        batch.Entry.Add(new Bundle.EntryComponent
        {
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = $"Patient?identifier=http://clinic.example.org/mrn|{mrn}" },
        });

        using var response = await client.PostAsync("/fhir", batch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.StartsWith("201", result.Entry[0].Response?.Status, StringComparison.Ordinal);
        Assert.StartsWith("403", result.Entry[1].Response?.Status, StringComparison.Ordinal);
        var refusal = Assert.IsType<OperationOutcome>(result.Entry[1].Response?.Outcome);
        Assert.Contains("user/Observation.c", refusal.Issue[0].Diagnostics, StringComparison.Ordinal);

        // The search entry needs s, which user/Patient.cr does not grant.
        Assert.StartsWith("403", result.Entry[2].Response?.Status, StringComparison.Ordinal);
        Assert.Single(await ScopeMatrixTests.PatientsWithMrnAsync(admin, mrn));
        Assert.Empty((await (await admin.GetAsync($"/fhir/Observation?code={mrn}")).ReadAsAsync<Bundle>()).Entry);
    }

    [Fact]
    public async Task A_transaction_get_entry_is_decided_like_a_search()
    {
        using var client = secured.ClientWithScopes("user/Patient.c");
        var transaction = ScopeMatrixTests.Transaction(Patients.WithMrn(Guid.NewGuid().ToString("N")));
        transaction.Entry.Add(new Bundle.EntryComponent
        {
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = "Observation?code=x" },
        });

        using var response = await client.PostAsync("/fhir", transaction);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("user/Observation.s", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }
}
