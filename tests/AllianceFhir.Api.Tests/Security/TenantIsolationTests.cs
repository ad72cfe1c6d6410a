using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Security;

/// <summary>
/// One clinic is one tenant: two clinics with real tokens write the same client-chosen ids and identifiers, and each
/// sees only its own on every read path, while both read the shared instrument catalog.
/// </summary>
public sealed class TenantIsolationTests(SecuredApp secured) : IClassFixture<SecuredApp>
{
    private const string Mrn = "http://clinic.example.org/mrn";

    private HttpClient Clinic(string tenant) =>
        secured.Client(secured.Idp.Token(SecuredApp.FullAccess, claims: new Dictionary<string, object> { ["tenant"] = tenant }));

    /// <summary>Two fresh tenants, each holding Patient/{id} (identifier = id, family = its tenant) and an Observation about it.</summary>
    private async Task<(HttpClient A, HttpClient B, string Id, string Code)> TwoClinicsAsync()
    {
        var run = Guid.NewGuid().ToString("N")[..12];
        var (a, b) = (Clinic($"clinic-a-{run}"), Clinic($"clinic-b-{run}"));
        foreach (var (client, family) in new[] { (a, "FamilyA"), (b, "FamilyB") })
        {
            var patient = Patients.WithMrn(run, family);
            patient.Id = run;
            using var put = await client.PutAsync($"/fhir/Patient/{run}", patient);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            using var observation = await client.PostAsync("/fhir/Observation", new Observation
            {
                Status = ObservationStatus.Final,
                Code = new CodeableConcept("http://example.org/codes", run),
                Subject = new ResourceReference($"Patient/{run}"),
                Performer = [new ResourceReference($"Patient/{run}")],
            });
            Assert.Equal(HttpStatusCode.Created, observation.StatusCode);
        }

        return (a, b, run, run);
    }

    [Fact]
    public async Task A_read_is_audited_in_the_readers_clinic_only()
    {
        // Reads reach the audit trail through the background writer, which must commit each event in its caller's tenant.
        var (a, b, id, _) = await TwoClinicsAsync();
        using (var read = await a.GetAsync($"/fhir/Patient/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        var query = $"/fhir/AuditEvent?entity=Patient/{id}&subtype=read";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var seen = await SearchAsync(a, query);
        while (seen.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            seen = await SearchAsync(a, query);
        }

        Assert.Single(seen.OfType<AuditEvent>());
        Assert.Empty(await SearchAsync(b, query));
    }

    private static async Task<List<Resource>> SearchAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadAsAsync<Bundle>()).Entry.Select(e => e.Resource!)];
    }

    private static string? Family(Resource? resource) => (resource as Patient)?.Name.FirstOrDefault()?.Family;

    [Fact]
    public async Task The_same_id_and_identifier_in_two_clinics_are_two_resources_each_clinic_reads_its_own()
    {
        var (a, b, id, _) = await TwoClinicsAsync();

        foreach (var (client, family) in new[] { (a, "FamilyA"), (b, "FamilyB") })
        {
            Assert.Equal(family, Family(await (await client.GetAsync($"/fhir/Patient/{id}")).ReadAsAsync<Patient>()));
            Assert.Equal(family, Family(await (await client.GetAsync($"/fhir/Patient/{id}/_history/1")).ReadAsAsync<Patient>()));
            Assert.Equal([family], (await SearchAsync(client, $"/fhir/Patient?identifier={Mrn}|{id}")).Select(Family));
            Assert.Equal([family], (await SearchAsync(client, $"/fhir/Patient/{id}/_history")).Select(Family));

            // Type and system history list this clinic's changes only: its patient and its observation. The audit trail
            // of this clinic's own requests (AuditEvents are written in the caller's tenant) is its own table, not history.
            var typeHistory = await SearchAsync(client, "/fhir/Patient/_history?_count=100");
            Assert.Equal([family], typeHistory.Select(Family));
            var systemHistory = await SearchAsync(client, "/fhir/_history?_count=100");
            Assert.Equal(["Observation", "Patient"], systemHistory.Select(r => r.TypeName).Order());
            var trail = await SearchAsync(client, $"/fhir/AuditEvent?entity=Patient/{id}&action=U&_count=100");
            Assert.Single(trail.OfType<AuditEvent>());
            Assert.Equal([family], systemHistory.OfType<Patient>().Select(Family));
        }

        // An update in one clinic is version 2 there and leaves the other's version 1 alone.
        var changed = Patients.WithMrn(id, "FamilyA2");
        changed.Id = id;
        using var update = await a.PutAsync($"/fhir/Patient/{id}", changed);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var other = await (await b.GetAsync($"/fhir/Patient/{id}")).ReadAsAsync<Patient>();
        Assert.Equal(("FamilyB", "1"), (Family(other), other.Meta?.VersionId));
        using var missingVersion = await b.GetAsync($"/fhir/Patient/{id}/_history/2");
        Assert.Equal(HttpStatusCode.NotFound, missingVersion.StatusCode);
    }

    [Fact]
    public async Task Includes_chains_and_has_stay_inside_the_clinic()
    {
        var (a, b, id, code) = await TwoClinicsAsync();

        foreach (var (client, family) in new[] { (a, "FamilyA"), (b, "FamilyB") })
        {
            var included = await SearchAsync(client, $"/fhir/Observation?code={code}&_include=Observation:subject");
            Assert.Single(included.OfType<Observation>());
            Assert.Equal([family], included.OfType<Patient>().Select(Family));

            var revIncluded = await SearchAsync(client, $"/fhir/Patient?identifier={Mrn}|{id}&_revinclude=Observation:subject");
            Assert.Equal([family], revIncluded.OfType<Patient>().Select(Family));
            Assert.Single(revIncluded.OfType<Observation>());

            Assert.Single(await SearchAsync(client, $"/fhir/Observation?code={code}&subject.family={family}"));
            Assert.Empty(await SearchAsync(client, $"/fhir/Observation?code={code}&subject.family={(family == "FamilyA" ? "FamilyB" : "FamilyA")}"));
            Assert.Equal([family], (await SearchAsync(client, $"/fhir/Patient?_has:Observation:subject:code={code}")).Select(Family));
        }
    }

    [Fact]
    public async Task Conditional_writes_and_deletes_touch_only_the_clinics_own_resources()
    {
        var (a, b, id, _) = await TwoClinicsAsync();

        // A conditional create in A finds A's patient; in a third clinic the same condition finds nothing and creates.
        var third = Clinic($"clinic-c-{id}");
        foreach (var (client, expected) in new[] { (a, HttpStatusCode.OK), (third, HttpStatusCode.Created) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(Patients.WithMrn(id, "FamilyC")) };
            request.Headers.Add("If-None-Exist", $"identifier={Mrn}|{id}");
            using var response = await client.SendAsync(request);
            Assert.Equal(expected, response.StatusCode);
        }

        // A conditional update in B changes B's patient only.
        using var update = await b.PutAsync($"/fhir/Patient?identifier={Mrn}|{id}", Patients.WithMrn(id, "FamilyB2"));
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal(["FamilyA"], (await SearchAsync(a, $"/fhir/Patient?identifier={Mrn}|{id}")).Select(Family));

        // A delete in A (this server offers no conditional delete) removes A's patient and observation only.
        foreach (var observation in await SearchAsync(a, $"/fhir/Observation?code={id}"))
        {
            using var deleteObservation = await a.DeleteAsync($"/fhir/Observation/{observation.Id}");
            Assert.True(deleteObservation.IsSuccessStatusCode, $"{(int)deleteObservation.StatusCode}");
        }

        using var delete = await a.DeleteAsync($"/fhir/Patient/{id}");
        Assert.True(delete.IsSuccessStatusCode, $"{(int)delete.StatusCode}");
        using var gone = await a.GetAsync($"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        using var kept = await b.GetAsync($"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Empty(await SearchAsync(a, $"/fhir/Patient?identifier={Mrn}|{id}"));
        Assert.Equal(["FamilyB2"], (await SearchAsync(b, $"/fhir/Patient?identifier={Mrn}|{id}")).Select(Family));
        Assert.Single(await SearchAsync(b, $"/fhir/Observation?code={id}"));
    }

    [Fact]
    public async Task A_transaction_and_a_batch_see_only_the_clinics_own_resources()
    {
        var (a, b, id, _) = await TwoClinicsAsync();
        var fresh = Guid.NewGuid().ToString("N");
        var transaction = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new Bundle.EntryComponent
                {
                    FullUrl = "urn:uuid:" + Guid.NewGuid(),
                    Resource = Patients.WithMrn(fresh, "FamilyB"),
                    Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient", IfNoneExist = $"identifier={Mrn}|{fresh}" },
                },
            ],
        };

        // B creates, then A's same transaction creates again in A (B's copy is not a match there).
        foreach (var client in new[] { b, a })
        {
            using var response = await client.PostAsync("/fhir", transaction);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var entry = (await response.ReadAsAsync<Bundle>()).Entry.Single();
            Assert.StartsWith("201", entry.Response?.Status ?? string.Empty, StringComparison.Ordinal);
        }

        var batch = new Bundle
        {
            Type = Bundle.BundleType.Batch,
            Entry =
            [
                new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = $"Patient/{id}" } },
                new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = $"Patient?identifier={Mrn}|{id}" } },
            ],
        };
        using var batchResponse = await b.PostAsync("/fhir", batch);
        var entries = (await batchResponse.ReadAsAsync<Bundle>()).Entry;
        Assert.Equal("FamilyB", Family(entries[0].Resource));
        Assert.Equal(["FamilyB"], Assert.IsType<Bundle>(entries[1].Resource).Entry.Select(e => Family(e.Resource)));
    }

    [Fact]
    public async Task Both_clinics_score_against_the_shared_catalog_and_a_clinics_own_questionnaire_is_its_own()
    {
        var (a, b, id, _) = await TwoClinicsAsync();

        // The catalog is visible to every clinic and scores in each.
        await InstrumentResponses.StoreSubjectAsync(b, id);
        var srs = await InstrumentResponses.FetchAsync(b, "srs");
        using var submitted = await b.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Decimals(srs, id, 9m, 9m, 9m, 9m));
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var responseId = (await submitted.ReadAsAsync<QuestionnaireResponse>()).Id;
        Assert.NotEmpty(await SearchAsync(b, $"/fhir/Observation?derived-from=QuestionnaireResponse/{responseId}"));
        Assert.Empty(await SearchAsync(a, $"/fhir/Observation?derived-from=QuestionnaireResponse/{responseId}"));
        Assert.Single(await SearchAsync(a, "/fhir/Questionnaire?url=http://alliancefhir.org/fhir/Questionnaire/srs"));

        // The catalog stays read-only from a clinic.
        var changed = (Questionnaire)srs.DeepCopy();
        changed.Title = "Changed by a clinic";
        using var put = await a.PutAsync("/fhir/Questionnaire/srs", changed);
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal(srs.Title, (await InstrumentResponses.FetchAsync(b, "srs")).Title);

        // A's own variant: A reads, searches and scores with it; B sees none of it.
        var own = (Questionnaire)srs.DeepCopy();
        own.Id = $"own-{id}";
        own.Url = $"http://clinic-a.example.org/Questionnaire/{id}";
        own.Meta = null;
        using var created = await a.PutAsync($"/fhir/Questionnaire/{own.Id}", own);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Single(await SearchAsync(a, $"/fhir/Questionnaire?url={own.Url}"));
        using var hidden = await b.GetAsync($"/fhir/Questionnaire/{own.Id}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Empty(await SearchAsync(b, $"/fhir/Questionnaire?url={own.Url}"));

        await InstrumentResponses.StoreSubjectAsync(a, id);
        var ownVersion = await InstrumentResponses.FetchAsync(a, own.Id);
        using var scoredByOwn = await a.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Decimals(ownVersion, id, 9m, 9m, 9m, 9m));
        Assert.Equal(HttpStatusCode.Created, scoredByOwn.StatusCode);
        using var unknownInB = await b.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Decimals(ownVersion, id, 9m, 9m, 9m, 9m));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknownInB.StatusCode);
        Assert.Single(await SearchAsync(b, $"/fhir/QuestionnaireResponse?subject=Patient/{id}"));
    }

    [Fact]
    public async Task A_token_without_a_tenant_claim_works_in_the_default_tenant()
    {
        using var noClaim = secured.ClientWithScopes(SecuredApp.FullAccess);
        var mrn = Guid.NewGuid().ToString("N");
        using var created = await noClaim.PostAsync("/fhir/Patient", Patients.WithMrn(mrn, "Defaulted"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        Assert.Equal(["Defaulted"], (await SearchAsync(Clinic("default"), $"/fhir/Patient?identifier={Mrn}|{mrn}")).Select(Family));
        Assert.Empty(await SearchAsync(Clinic($"clinic-{mrn}"), $"/fhir/Patient?identifier={Mrn}|{mrn}"));
    }

    [Fact]
    public async Task A_token_claiming_the_catalog_tenant_is_refused_403()
    {
        using var impostor = Clinic(AllianceFhir.Core.Storage.Tenants.Catalog);
        using var response = await impostor.PutAsync("/fhir/Questionnaire/srs", new Questionnaire { Id = "srs", Status = PublicationStatus.Draft });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Forbidden, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        Assert.Equal(PublicationStatus.Active, (await InstrumentResponses.FetchAsync(Clinic("default"), "srs")).Status);
    }

    [Fact]
    public async Task Isolation_holds_under_concurrent_writers_in_two_clinics()
    {
        const int Writers = 8;
        const int CreatesPerWriter = 5;
        var run = Guid.NewGuid().ToString("N")[..12];
        var tenants = new[] { $"load-a-{run}", $"load-b-{run}" };
        var clients = tenants.ToDictionary(t => t, Clinic);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // Every writer in both clinics creates the same identifiers, and also races a conditional create on one shared
        // identifier: each clinic must end with exactly its own copies and exactly one conditional match.
        var work = tenants.SelectMany(tenant => Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            var client = clients[tenant];
            for (var i = 0; i < CreatesPerWriter; i++)
            {
                var patient = Patients.WithMrn($"{run}-{writer}-{i}", run);
                patient.Name[0].Given = [tenant];
                using var created = await client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(patient), timeout.Token);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            var shared = Patients.WithMrn($"{run}-shared", "Shared");
            shared.Name[0].Given = [tenant];
            using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(shared) };
            request.Headers.Add("If-None-Exist", $"identifier={Mrn}|{run}-shared");
            using var conditional = await client.SendAsync(request, timeout.Token);
            Assert.True(conditional.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)conditional.StatusCode}");
        }, timeout.Token)));
        await Task.WhenAll(work);

        foreach (var tenant in tenants)
        {
            var mine = await SearchAsync(clients[tenant], $"/fhir/Patient?family={run}&_count=100");
            Assert.Equal(Writers * CreatesPerWriter, mine.Count);
            Assert.All(mine, p => Assert.Equal(tenant, ((Patient)p).Name[0].Given.Single()));
            Assert.Equal(Writers * CreatesPerWriter, mine.Select(p => ((Patient)p).Identifier[0].Value).Distinct().Count());

            var shared = await SearchAsync(clients[tenant], $"/fhir/Patient?identifier={Mrn}|{run}-shared");
            Assert.Equal([tenant], shared.Select(p => ((Patient)p).Name[0].Given.Single()));
        }
    }
}
