using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

/// <summary>Local references in writes must resolve; a resource live resources refer to cannot be deleted.</summary>
public sealed class ReferentialIntegrityTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..30];

    private async Task<string> StorePatientAsync()
    {
        var id = NewId("ri");
        await Patients.StoreAsync(_client, id);
        return id;
    }

    private static Observation ObservationAbout(string subject) => Clinical.ScoreFor(subject);

    private async Task<string> CreateAsync(Resource resource)
    {
        using var response = await _client.PostAsync($"/fhir/{resource.TypeName}", resource);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {resource.TypeName} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.ReadAsAsync<Resource>()).Id!;
    }

    private static async Task<OperationOutcome.IssueComponent> AssertUnresolvedAsync(HttpResponseMessage response, string reference, string path)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        var issue = Assert.Single(outcome.Issue, i => i.Expression.Contains(path));
        Assert.Equal(OperationOutcome.IssueType.NotFound, issue.Code);
        Assert.Contains(reference, issue.Diagnostics, StringComparison.Ordinal);
        return issue;
    }

    private async Task AssertNoObservationAboutAsync(string subject) =>
        Assert.Empty((await _client.SearchAsync($"/fhir/Observation?subject={subject}")).Entry);

    [Fact]
    public async Task The_capability_statement_declares_literal_references_with_enforced_integrity()
    {
        var metadata = await (await _client.GetAsync("/fhir/metadata")).ReadAsAsync<CapabilityStatement>();

        Assert.All(metadata.Rest[0].Resource, r => Assert.Equal(
            [CapabilityStatement.ReferenceHandlingPolicy.Literal, CapabilityStatement.ReferenceHandlingPolicy.Enforced],
            r.ReferencePolicy.Select(p => p!.Value)));
    }

    [Fact]
    public async Task A_response_about_a_patient_that_does_not_exist_is_422_and_neither_it_nor_a_score_is_stored()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "someone-else");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var response = InstrumentResponses.Decimals(srs, "does-not-exist", 9m, 9m, 9m, 9m);

        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response);

        var issue = await AssertUnresolvedAsync(created, "Patient/does-not-exist", "QuestionnaireResponse.subject");
        Assert.Contains("does not exist", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Empty((await _client.SearchAsync("/fhir/QuestionnaireResponse?subject=Patient/does-not-exist")).Entry);
        await AssertNoObservationAboutAsync("Patient/does-not-exist");
    }

    [Fact]
    public async Task Create_update_and_conditional_update_refuse_a_dangling_reference_and_store_nothing()
    {
        var missing = $"Patient/{NewId("missing")}";
        var id = NewId("obs");
        var forUpdate = ObservationAbout(missing);
        forUpdate.Id = id;
        var conditional = ObservationAbout(missing);
        conditional.Identifier.Add(new Identifier("http://example.org/obs", id));

        using var post = await _client.PostAsync("/fhir/Observation", ObservationAbout(missing));
        using var put = await _client.PutAsync($"/fhir/Observation/{id}", forUpdate);
        using var conditionalPut = await _client.PutAsync($"/fhir/Observation?identifier=http://example.org/obs|{id}", conditional);

        await AssertUnresolvedAsync(post, missing, "Observation.subject");
        await AssertUnresolvedAsync(put, missing, "Observation.subject");
        await AssertUnresolvedAsync(conditionalPut, missing, "Observation.subject");
        using var read = await _client.GetAsync($"/fhir/Observation/{id}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        await AssertNoObservationAboutAsync(missing);
    }

    [Fact]
    public async Task An_update_that_adds_a_dangling_reference_is_422_and_keeps_the_current_version()
    {
        var patient = await StorePatientAsync();
        var id = await CreateAsync(ObservationAbout($"Patient/{patient}"));
        var changed = ObservationAbout($"Patient/{patient}");
        changed.Id = id;
        changed.Performer.Add(new ResourceReference("Practitioner/nobody"));

        using var put = await _client.PutAsync($"/fhir/Observation/{id}", changed);

        await AssertUnresolvedAsync(put, "Practitioner/nobody", "Observation.performer[0]");
        using var read = await _client.GetAsync($"/fhir/Observation/{id}");
        Assert.Equal("W/\"1\"", read.ETag());
    }

    [Fact]
    public async Task A_reference_to_a_deleted_resource_is_422()
    {
        var patient = await StorePatientAsync();
        using (var delete = await _client.DeleteAsync($"/fhir/Patient/{patient}"))
        {
            Assert.True(delete.IsSuccessStatusCode);
        }

        using var post = await _client.PostAsync("/fhir/Observation", ObservationAbout($"Patient/{patient}"));

        var issue = await AssertUnresolvedAsync(post, $"Patient/{patient}", "Observation.subject");
        Assert.Contains("deleted", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_versioned_reference_must_name_a_version_that_exists()
    {
        var patient = await StorePatientAsync();

        var existing = await CreateAsync(ObservationAbout($"Patient/{patient}/_history/1"));
        using var missing = await _client.PostAsync("/fhir/Observation", ObservationAbout($"Patient/{patient}/_history/7"));

        Assert.NotEmpty(existing);
        var issue = await AssertUnresolvedAsync(missing, $"Patient/{patient}/_history/7", "Observation.subject");
        Assert.Contains("has no version 7", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task References_off_the_search_parameter_paths_are_checked_too()
    {
        var observation = ObservationAbout($"Patient/{await StorePatientAsync()}");
        observation.Extension.Add(new Extension("http://example.org/fhir/StructureDefinition/about", new ResourceReference("Patient/ghost")));
        observation.Contained.Add(new Practitioner { Id = "p1", Extension = [new Extension("http://example.org/x", new ResourceReference("Organization/ghost"))] });

        using var post = await _client.PostAsync("/fhir/Observation", observation);

        await AssertUnresolvedAsync(post, "Patient/ghost", "Observation.extension[0].value");
        await AssertUnresolvedAsync(post, "Organization/ghost", "Observation.contained[0].extension[0].value");
    }

    [Fact]
    public async Task A_reference_to_a_type_this_server_does_not_store_is_422()
    {
        var observation = ObservationAbout($"Patient/{await StorePatientAsync()}");
        observation.Device = new ResourceReference("Device/monitor-1");

        using var post = await _client.PostAsync("/fhir/Observation", observation);

        var issue = await AssertUnresolvedAsync(post, "Device/monitor-1", "Observation.device");
        Assert.Contains("stores no Device", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Absolute_contained_logical_and_canonical_references_are_not_checked()
    {
        var observation = ObservationAbout("http://other.example.org/fhir/Patient/123");
        observation.Contained.Add(new Practitioner { Id = "author" });
        observation.Performer.Add(new ResourceReference("#author"));
        observation.Performer.Add(new ResourceReference { Identifier = new Identifier("http://example.org/staff", "42") });
        observation.Focus.Add(new ResourceReference("urn:uuid:6b2f0f7e-5a1c-4c3e-9d4b-1f2e3d4c5b6a"));
        observation.Extension.Add(new Extension("http://example.org/fhir/StructureDefinition/form", new Canonical("http://alliancefhir.org/fhir/Questionnaire/none")));

        using var post = await _client.PostAsync("/fhir/Observation", observation);

        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_patient_that_a_scored_response_refers_to_is_409_listing_the_referrers()
    {
        var patient = NewId("scored");
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var responseId = await CreateAsync(InstrumentResponses.Decimals(srs, patient, 9m, 9m, 9m, 9m));

        using var delete = await _client.DeleteAsync($"/fhir/Patient/{patient}");

        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        var outcome = await delete.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueType.BusinessRule, outcome.Issue[0].Code);
        Assert.Contains($"Patient/{patient} cannot be deleted", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        var referrers = outcome.Issue.Skip(1).Select(i => i.Diagnostics!.Split(' ')[0]).ToList();
        Assert.Contains($"QuestionnaireResponse/{responseId}", referrers);
        Assert.Contains(referrers, r => r.StartsWith("Observation/", StringComparison.Ordinal));
        using var read = await _client.GetAsync($"/fhir/Patient/{patient}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task A_refused_delete_lists_at_most_ten_referrers()
    {
        var patient = await StorePatientAsync();
        for (var i = 0; i < 12; i++)
        {
            await CreateAsync(ObservationAbout($"Patient/{patient}"));
        }

        using var delete = await _client.DeleteAsync($"/fhir/Patient/{patient}");

        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        var outcome = await delete.ReadAsAsync<OperationOutcome>();
        Assert.Contains("more than 10 resources refer", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(11, outcome.Issue.Count);
    }

    [Fact]
    public async Task A_reference_held_only_in_an_extension_blocks_the_delete_too()
    {
        var patient = await StorePatientAsync();
        var practitioner = new Practitioner();
        practitioner.Extension.Add(new Extension("http://example.org/fhir/StructureDefinition/usual-client", new ResourceReference($"Patient/{patient}")));
        var practitionerId = await CreateAsync(practitioner);

        using var delete = await _client.DeleteAsync($"/fhir/Patient/{patient}");

        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Equal($"Practitioner/{practitionerId} refers to Patient/{patient}", (await delete.ReadAsAsync<OperationOutcome>()).Issue[1].Diagnostics);
    }

    [Fact]
    public async Task Once_its_referrers_are_deleted_or_changed_a_resource_can_be_deleted()
    {
        var patient = await StorePatientAsync();
        var other = await StorePatientAsync();
        var deletedReferrer = await CreateAsync(ObservationAbout($"Patient/{patient}"));
        var changedReferrer = await CreateAsync(ObservationAbout($"Patient/{patient}"));
        using (var delete = await _client.DeleteAsync($"/fhir/Observation/{deletedReferrer}"))
        {
            Assert.True(delete.IsSuccessStatusCode);
        }

        var moved = ObservationAbout($"Patient/{other}");
        moved.Id = changedReferrer;
        using (var put = await _client.PutAsync($"/fhir/Observation/{changedReferrer}", moved))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var deletePatient = await _client.DeleteAsync($"/fhir/Patient/{patient}");

        Assert.True(deletePatient.IsSuccessStatusCode, $"DELETE answered {(int)deletePatient.StatusCode}");
    }

    [Fact]
    public async Task A_transaction_may_delete_a_patient_together_with_everything_that_refers_to_it()
    {
        var patient = NewId("whole");
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var responseId = await CreateAsync(InstrumentResponses.Decimals(srs, patient, 9m, 9m, 9m, 9m));
        var observations = await _client.SearchAsync($"/fhir/Observation?subject=Patient/{patient}");
        var bundle = BundleBuilder.Transaction().Delete($"Patient/{patient}").Delete($"QuestionnaireResponse/{responseId}");
        foreach (var entry in observations.Entry)
        {
            bundle.Delete($"Observation/{entry.Resource!.Id}");
        }

        using var response = await _client.PostBundleAsync(bundle.Bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var read = await _client.GetAsync($"/fhir/Patient/{patient}");
        Assert.Equal(HttpStatusCode.Gone, read.StatusCode);
    }

    [Fact]
    public async Task A_transaction_entry_referring_to_a_missing_resource_fails_the_whole_transaction()
    {
        var mrn = Clinical.NewMrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(mrn), BundleBuilder.NewUrn())
            .Post(ObservationAbout("Patient/nobody-here"))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        var issue = await AssertUnresolvedAsync(response, "Patient/nobody-here", "Observation.subject");
        Assert.StartsWith("Bundle.entry[1]", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Empty((await _client.SearchAsync($"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}")).Entry);
    }

    [Fact]
    public async Task A_transaction_entry_may_refer_to_a_resource_another_entry_creates_by_id()
    {
        var patient = NewId("tx");
        var bundle = BundleBuilder.Transaction()
            .Post(ObservationAbout($"Patient/{patient}"))
            .Put($"Patient/{patient}", Patients.WithId(patient))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single((await _client.SearchAsync($"/fhir/Observation?subject=Patient/{patient}")).Entry);
    }

    [Fact]
    public async Task A_transaction_cannot_refer_to_a_resource_it_deletes()
    {
        var patient = await StorePatientAsync();
        var bundle = BundleBuilder.Transaction()
            .Post(ObservationAbout($"Patient/{patient}"))
            .Delete($"Patient/{patient}")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        var issue = await AssertUnresolvedAsync(response, $"Patient/{patient}", "Observation.subject");
        Assert.Contains("another entry of this transaction deletes", issue.Diagnostics, StringComparison.Ordinal);
        using var read = await _client.GetAsync($"/fhir/Patient/{patient}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task A_batch_entry_with_a_dangling_reference_fails_alone()
    {
        var patient = await StorePatientAsync();
        var bundle = BundleBuilder.Batch()
            .Post(ObservationAbout("Patient/nobody-at-all"))
            .Post(ObservationAbout($"Patient/{patient}"))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.StartsWith("422", result.Entry[0].Response!.Status, StringComparison.Ordinal);
        Assert.Contains("Patient/nobody-at-all", result.Entry[0].Response!.Outcome is OperationOutcome o ? o.Issue[0].Diagnostics : null, StringComparison.Ordinal);
        Assert.StartsWith("201", result.Entry[1].Response!.Status, StringComparison.Ordinal);
        await AssertNoObservationAboutAsync("Patient/nobody-at-all");
    }
}
