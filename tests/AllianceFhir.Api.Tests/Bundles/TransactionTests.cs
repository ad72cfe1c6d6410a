using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Bundles;

public class TransactionTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private async Task<Patient> CreatePatientAsync(string mrn, string family = "Example")
    {
        using var response = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn, family));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsAsync<Patient>();
    }

    private async Task<Bundle> PatientsWithMrnAsync(string mrn) =>
        await _client.SearchAsync($"/fhir/Patient?identifier={Uri.EscapeDataString($"{Clinical.MrnSystem}|{mrn}")}");

    [Fact]
    public async Task Transaction_creates_linked_resources_and_rewrites_every_urn_reference()
    {
        var patientUrn = BundleBuilder.NewUrn();
        var encounterUrn = BundleBuilder.NewUrn();
        var observation = Clinical.ScoreFor(patientUrn, encounterUrn);
        // References nested in an extension, a uri equal to a fullUrl and a narrative link are rewritten too.
        observation.Extension.Add(new Extension("http://example.org/fhir/StructureDefinition/about", new ResourceReference(patientUrn)));
        observation.Extension.Add(new Extension("http://example.org/fhir/StructureDefinition/source", new FhirUri(encounterUrn)));
        observation.Text = new Narrative
        {
            Status = Narrative.NarrativeStatus.Generated,
            Div = $"<div xmlns=\"http://www.w3.org/1999/xhtml\">Score of <a href=\"{patientUrn}\">the patient</a></div>",
        };
        var bundle = BundleBuilder.Transaction()
            .Post(observation, BundleBuilder.NewUrn())
            .Post(Clinical.VisitOf(patientUrn), encounterUrn)
            .Post(Patients.WithMrn(Clinical.NewMrn()), patientUrn)
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(Bundle.BundleType.TransactionResponse, result.Type);
        Assert.Equal(3, result.Entry.Count);
        Assert.All(result.Entry, e =>
        {
            Assert.Equal("201 Created", e.Response!.Status);
            Assert.Equal("W/\"1\"", e.Response!.Etag);
            Assert.NotNull(e.Response!.LastModified);
            Assert.EndsWith("/_history/1", e.Response!.Location, StringComparison.Ordinal);
        });

        // Request order is kept in the response even though processing order is free within POSTs.
        Assert.IsType<Observation>(result.Entry[0].Resource);
        Assert.IsType<Encounter>(result.Entry[1].Resource);
        Assert.IsType<Patient>(result.Entry[2].Resource);
        var patientId = BundleHttp.IdFromLocation(result.Entry[2].Response!.Location);
        var encounterId = BundleHttp.IdFromLocation(result.Entry[1].Response!.Location);
        var observationId = BundleHttp.IdFromLocation(result.Entry[0].Response!.Location);
        Assert.StartsWith("Patient/", result.Entry[2].Response!.Location, StringComparison.Ordinal);
        Assert.Equal($"http://localhost/fhir/Patient/{patientId}", result.Entry[2].FullUrl);

        using var read = await _client.GetAsync($"/fhir/Observation/{observationId}");
        var json = await read.Content.ReadAsStringAsync();
        Assert.DoesNotContain("urn:uuid", json, StringComparison.Ordinal);
        var stored = await read.ReadAsAsync<Observation>();
        Assert.Equal($"Patient/{patientId}", stored.Subject!.Reference);
        Assert.Equal($"Encounter/{encounterId}", stored.Encounter!.Reference);
        Assert.Equal($"Patient/{patientId}", ((ResourceReference)stored.Extension[0].Value!).Reference);
        Assert.Equal($"Encounter/{encounterId}", ((FhirUri)stored.Extension[1].Value!).Value);
        Assert.Contains($"href=\"Patient/{patientId}\"", stored.Text!.Div, StringComparison.Ordinal);

        var encounter = await (await _client.GetAsync($"/fhir/Encounter/{encounterId}")).ReadAsAsync<Encounter>();
        Assert.Equal($"Patient/{patientId}", encounter.Subject!.Reference);
    }

    [Fact]
    public async Task Conditional_create_in_a_transaction_reuses_the_match_and_points_references_at_it()
    {
        var mrn = Clinical.NewMrn();
        var existing = await CreatePatientAsync(mrn);
        var patientUrn = BundleBuilder.NewUrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(mrn), patientUrn, ifNoneExist: $"identifier={Clinical.MrnSystem}|{mrn}")
            .Post(Clinical.ScoreFor(patientUrn))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal("200 OK", result.Entry[0].Response!.Status);
        Assert.Equal(existing.Id, BundleHttp.IdFromLocation(result.Entry[0].Response!.Location));
        Assert.Equal("201 Created", result.Entry[1].Response!.Status);
        Assert.Equal($"Patient/{existing.Id}", ((Observation)result.Entry[1].Resource!).Subject!.Reference);
        Assert.Single((await PatientsWithMrnAsync(mrn)).Entry);
    }

    [Fact]
    public async Task Conditional_references_resolve_to_stored_and_same_transaction_resources()
    {
        var storedMrn = Clinical.NewMrn();
        var stored = await CreatePatientAsync(storedMrn);
        var newMrn = Clinical.NewMrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Clinical.ScoreFor($"Patient?identifier={Clinical.MrnSystem}|{storedMrn}"))
            .Post(Clinical.ScoreFor($"Patient?identifier={Uri.EscapeDataString($"{Clinical.MrnSystem}|{newMrn}")}"))
            .Post(Patients.WithMrn(newMrn), BundleBuilder.NewUrn())
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        var createdId = BundleHttp.IdFromLocation(result.Entry[2].Response!.Location);
        var first = await (await _client.GetAsync($"/fhir/{result.Entry[0].Response!.Location}")).ReadAsAsync<Observation>();
        var second = await (await _client.GetAsync($"/fhir/{result.Entry[1].Response!.Location}")).ReadAsAsync<Observation>();
        Assert.Equal($"Patient/{stored.Id}", first.Subject!.Reference);
        Assert.Equal($"Patient/{createdId}", second.Subject!.Reference);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task Conditional_reference_that_does_not_match_exactly_one_fails_the_transaction(int matches)
    {
        var mrn = Clinical.NewMrn();
        for (var i = 0; i < matches; i++)
        {
            await CreatePatientAsync(mrn);
        }

        var marker = Clinical.NewMrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(marker))
            .Post(Clinical.ScoreFor($"Patient?identifier={Clinical.MrnSystem}|{mrn}"), "urn:uuid:9a0c6f4e-2b1d-4c3e-8f5a-6d7e8f9a0b1c")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains("Bundle.entry[1] (fullUrl urn:uuid:9a0c6f4e-2b1d-4c3e-8f5a-6d7e8f9a0b1c)", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Contains("Bundle.entry[1]", outcome.Issue[0].Expression);
        Assert.Empty((await PatientsWithMrnAsync(marker)).Entry);
    }

    [Fact]
    public async Task A_failing_last_entry_leaves_nothing_of_the_transaction_visible()
    {
        var existing = await CreatePatientAsync(Clinical.NewMrn(), family: "Before");
        var newMrn = Clinical.NewMrn();
        var clientId = $"rollback-{Guid.NewGuid():N}";
        var renamed = (Patient)existing.DeepCopy();
        renamed.Name[0].Family = "After";
        var withClientId = Patients.WithMrn(Clinical.NewMrn());
        withClientId.Id = clientId;
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(newMrn), BundleBuilder.NewUrn())
            .Put($"Patient/{clientId}", withClientId)
            .Put($"Patient/{existing.Id}", renamed)
            .Put("Patient/never-there", new Patient { Id = "never-there" }, "urn:uuid:0f7c4a1e-6b2d-4e3f-9a8b-7c6d5e4f3a2b", ifMatch: "W/\"3\"")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains("Bundle.entry[3] (fullUrl urn:uuid:0f7c4a1e-6b2d-4e3f-9a8b-7c6d5e4f3a2b)", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);

        Assert.Empty((await PatientsWithMrnAsync(newMrn)).Entry);
        using var created = await _client.GetAsync($"/fhir/Patient/{clientId}");
        Assert.Equal(HttpStatusCode.NotFound, created.StatusCode);
        using var createdHistory = await _client.GetAsync($"/fhir/Patient/{clientId}/_history");
        Assert.Equal(HttpStatusCode.NotFound, createdHistory.StatusCode);
        using var read = await _client.GetAsync($"/fhir/Patient/{existing.Id}");
        Assert.Equal("W/\"1\"", read.ETag());
        Assert.Equal("Before", (await read.ReadAsAsync<Patient>()).Name[0].Family);
        var history = await _client.SearchAsync($"/fhir/Patient/{existing.Id}/_history");
        Assert.Single(history.Entry);
    }

    [Fact]
    public async Task Stale_if_match_returns_412_and_rolls_back_the_other_entries()
    {
        var patient = await CreatePatientAsync(Clinical.NewMrn());
        using (var update = await _client.PutAsync($"/fhir/Patient/{patient.Id}", patient))
        {
            Assert.Equal("W/\"2\"", update.ETag());
        }

        var code = $"rollback-{Guid.NewGuid():N}";
        var bundle = BundleBuilder.Transaction()
            .Post(Clinical.ScoreFor($"Patient/{patient.Id}", code: code))
            .Put($"Patient/{patient.Id}", patient, ifMatch: "W/\"1\"")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.StartsWith("Bundle.entry[1]:", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Empty((await _client.SearchAsync($"/fhir/Observation?code={code}")).Entry);
        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal("W/\"2\"", read.ETag());
    }

    [Fact]
    public async Task Matching_if_match_updates_and_reports_the_new_version()
    {
        var patient = await CreatePatientAsync(Clinical.NewMrn());
        patient.Name[0].Family = "Updated";

        using var response = await _client.PostBundleAsync(BundleBuilder.Transaction().Put($"Patient/{patient.Id}", patient, ifMatch: "W/\"1\"").Bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = (await response.ReadAsAsync<Bundle>()).Entry[0];
        Assert.Equal("200 OK", entry.Response!.Status);
        Assert.Equal("W/\"2\"", entry.Response!.Etag);
        Assert.Equal($"Patient/{patient.Id}/_history/2", entry.Response!.Location);
    }

    [Fact]
    public async Task Two_entries_changing_the_same_resource_are_400()
    {
        var patient = await CreatePatientAsync(Clinical.NewMrn());
        var bundle = BundleBuilder.Transaction()
            .Put($"Patient/{patient.Id}", patient)
            .Delete($"Patient/{patient.Id}")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains($"Patient/{patient.Id}", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Contains("Bundle.entry[", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task A_conditional_update_resolving_to_a_resource_another_entry_changes_is_400()
    {
        var mrn = Clinical.NewMrn();
        var patient = await CreatePatientAsync(mrn);
        var bundle = BundleBuilder.Transaction()
            .Put($"Patient/{patient.Id}", patient)
            .Put($"Patient?identifier={Clinical.MrnSystem}|{mrn}", Patients.WithMrn(mrn, "Other"))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Delete_runs_before_post_whatever_the_entry_order()
    {
        var mrn = Clinical.NewMrn();
        var old = await CreatePatientAsync(mrn);
        // Listed first but processed last (GET), then the POST's ifNoneExist, which only misses the old patient if
        // the DELETE listed after it has already run.
        var bundle = BundleBuilder.Transaction()
            .Get($"Patient?identifier={Clinical.MrnSystem}|{mrn}")
            .Post(Patients.WithMrn(mrn, "Replacement"), BundleBuilder.NewUrn(), ifNoneExist: $"identifier={Clinical.MrnSystem}|{mrn}")
            .Delete($"Patient/{old.Id}")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal("201 Created", result.Entry[1].Response!.Status);
        Assert.Equal("204 No Content", result.Entry[2].Response!.Status);
        Assert.Equal("W/\"2\"", result.Entry[2].Response!.Etag);
        var newId = BundleHttp.IdFromLocation(result.Entry[1].Response!.Location);
        Assert.NotEqual(old.Id, newId);
        var searchset = Assert.IsType<Bundle>(result.Entry[0].Resource);
        Assert.Equal(newId, Assert.Single(searchset.Entry).Resource!.Id);

        using var gone = await _client.GetAsync($"/fhir/Patient/{old.Id}");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal(newId, Assert.Single((await PatientsWithMrnAsync(mrn)).Entry).Resource!.Id);
    }

    [Fact]
    public async Task Conditional_update_and_delete_work_inside_a_transaction()
    {
        var updateMrn = Clinical.NewMrn();
        var deleteMrn = Clinical.NewMrn();
        var toUpdate = await CreatePatientAsync(updateMrn);
        var toDelete = await CreatePatientAsync(deleteMrn);
        var bundle = BundleBuilder.Transaction()
            .Put($"Patient?identifier={Clinical.MrnSystem}|{updateMrn}", Patients.WithMrn(updateMrn, "Renamed"))
            .Delete($"Patient?identifier={Clinical.MrnSystem}|{deleteMrn}")
            .Put($"Patient?identifier={Clinical.MrnSystem}|{Clinical.NewMrn()}", Patients.WithMrn("ignored", "Fresh"))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal("200 OK", result.Entry[0].Response!.Status);
        Assert.Equal($"Patient/{toUpdate.Id}/_history/2", result.Entry[0].Response!.Location);
        Assert.Equal("204 No Content", result.Entry[1].Response!.Status);
        Assert.Equal("201 Created", result.Entry[2].Response!.Status);
        using var deleted = await _client.GetAsync($"/fhir/Patient/{toDelete.Id}");
        Assert.Equal(HttpStatusCode.Gone, deleted.StatusCode);
    }

    [Fact]
    public async Task Get_entries_read_what_the_transaction_wrote()
    {
        var patient = await CreatePatientAsync(Clinical.NewMrn());
        patient.Name[0].Family = "Written";
        var bundle = BundleBuilder.Transaction()
            .Get($"Patient/{patient.Id}")
            .Get($"Patient/{patient.Id}/_history/1")
            .Put($"Patient/{patient.Id}", patient)
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal("Written", ((Patient)result.Entry[0].Resource!).Name[0].Family);
        Assert.Equal("W/\"2\"", result.Entry[0].Response!.Etag);
        Assert.Equal("Example", ((Patient)result.Entry[1].Resource!).Name[0].Family);
    }

    [Fact]
    public async Task A_get_of_an_unknown_resource_fails_the_transaction_with_404()
    {
        var mrn = Clinical.NewMrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(mrn))
            .Get("Patient/does-not-exist")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty((await PatientsWithMrnAsync(mrn)).Entry);
    }

    [Fact]
    public async Task Prefer_minimal_and_operation_outcome_shape_the_entries()
    {
        using var minimal = await _client.PostBundleAsync(BundleBuilder.Transaction().Post(Patients.WithMrn(Clinical.NewMrn())).Bundle, "return=minimal");
        var minimalEntry = (await minimal.ReadAsAsync<Bundle>()).Entry[0];
        Assert.Null(minimalEntry.Resource);
        Assert.Equal("201 Created", minimalEntry.Response!.Status);
        Assert.NotNull(minimalEntry.Response!.Location);

        using var outcome = await _client.PostBundleAsync(BundleBuilder.Transaction().Post(Patients.WithMrn(Clinical.NewMrn())).Bundle, "return=OperationOutcome");
        var outcomeEntry = (await outcome.ReadAsAsync<Bundle>()).Entry[0];
        Assert.Null(outcomeEntry.Resource);
        Assert.IsType<OperationOutcome>(outcomeEntry.Response!.Outcome);
    }

    [Theory]
    [InlineData("Patient/a/b", "not an interaction")]
    [InlineData("ValueSet/$lookup", "operation")]
    [InlineData("Medication", "not supported")]
    [InlineData("https://elsewhere.example.org/fhir/Patient", "not on this server")]
    public async Task Unsupported_or_malformed_request_urls_fail_the_transaction(string url, string message)
    {
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(Clinical.NewMrn()))
            .Add(Bundle.HTTPVerb.POST, url, Patients.WithMrn(Clinical.NewMrn()), BundleBuilder.NewUrn())
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"status {response.StatusCode}");
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains("Bundle.entry[1]", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Contains(message, outcome.Issue[0].Diagnostics, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Absolute_request_urls_on_this_server_are_accepted()
    {
        var id = $"abs-{Guid.NewGuid():N}";
        var patient = Patients.WithMrn(Clinical.NewMrn());
        patient.Id = id;

        using var response = await _client.PostBundleAsync(BundleBuilder.Transaction().Put($"http://localhost/fhir/Patient/{id}", patient).Bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("201 Created", (await response.ReadAsAsync<Bundle>()).Entry[0].Response!.Status);
    }

    [Fact]
    public async Task A_urn_reference_to_no_entry_fails_the_transaction()
    {
        var bundle = BundleBuilder.Transaction().Post(Clinical.ScoreFor(BundleBuilder.NewUrn())).Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("fullUrl of no entry", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }
    [Fact]
    public async Task Two_conditional_creates_of_one_new_patient_create_it_once()
    {
        var mrn = Clinical.NewMrn();
        var condition = $"identifier={Clinical.MrnSystem}|{mrn}";
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(mrn), BundleBuilder.NewUrn(), ifNoneExist: condition)
            .Post(Patients.WithMrn(mrn), BundleBuilder.NewUrn(), ifNoneExist: condition)
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(["201 Created", "200 OK"], result.Entry.Select(e => e.Response!.Status));
        Assert.Equal(result.Entry[0].Response!.Location, result.Entry[1].Response!.Location);
        Assert.Single((await PatientsWithMrnAsync(mrn)).Entry);
    }

    [Fact]
    public async Task If_none_match_star_on_a_put_only_creates()
    {
        var existing = await CreatePatientAsync(Clinical.NewMrn());
        var fresh = Patients.WithMrn(Clinical.NewMrn());
        fresh.Id = $"fresh-{Guid.NewGuid():N}";

        using var created = await _client.PostBundleAsync(BundleBuilder.Transaction().Put($"Patient/{fresh.Id}", fresh, ifNoneMatch: "*").Bundle);
        using var refused = await _client.PostBundleAsync(BundleBuilder.Transaction().Put($"Patient/{existing.Id}", existing, ifNoneMatch: "*").Bundle);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
    }

    [Fact]
    public async Task An_entry_without_a_request_fails_the_transaction()
    {
        var bundle = BundleBuilder.Transaction().Post(Patients.WithMrn(Clinical.NewMrn())).Bundle;
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = BundleBuilder.NewUrn(), Resource = Patients.WithMrn(Clinical.NewMrn()) });

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains("Bundle.entry[1].request", outcome.Issue[0].Expression);
    }
    [Fact]
    public async Task A_condition_with_a_parameter_the_server_cannot_apply_is_400_but_a_search_entry_ignores_it()
    {
        var mrn = Clinical.NewMrn();
        await CreatePatientAsync(mrn);

        using var condition = await _client.PostBundleAsync(BundleBuilder.Transaction()
            .Post(Patients.WithMrn(mrn), ifNoneExist: $"identifier={Clinical.MrnSystem}|{mrn}&no-such-parameter=x")
            .Bundle);
        using var search = await _client.PostBundleAsync(BundleBuilder.Transaction()
            .Get($"Patient?identifier={Clinical.MrnSystem}|{mrn}&no-such-parameter=x")
            .Bundle);

        Assert.Equal(HttpStatusCode.BadRequest, condition.StatusCode);
        Assert.Contains("no-such-parameter", (await condition.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        var searchset = Assert.IsType<Bundle>((await search.ReadAsAsync<Bundle>()).Entry[0].Resource);
        Assert.Single(searchset.Entry);
        Assert.Single((await PatientsWithMrnAsync(mrn)).Entry);
    }
}
