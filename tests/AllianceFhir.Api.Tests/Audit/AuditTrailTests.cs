using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Audit;

/// <summary>Each FHIR interaction leaves exactly one AuditEvent shaped after IHE BALP; a write's is in its own commit.</summary>
public sealed class AuditTrailTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private async Task<Patient> NewPatientAsync(string family = "Example")
    {
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(Guid.NewGuid().ToString("N"), family));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await created.ReadAsAsync<Patient>();
    }

    [Fact]
    public async Task A_create_is_stored_with_its_AuditEvent_in_the_same_commit()
    {
        var patient = await NewPatientAsync();

        // No waiting: the event was committed with the write, before the 201 left.
        var audit = Assert.Single(AuditTrail.About(app.DatabasePath, $"Patient/{patient.Id}"));
        Assert.Equal("rest", audit.Type.Code);
        Assert.Equal("http://terminology.hl7.org/CodeSystem/audit-event-type", audit.Type.System);
        Assert.Equal("create", audit.Subtype());
        Assert.Equal(AuditEvent.AuditEventAction.C, audit.Action);
        Assert.Equal(AuditEvent.AuditEventOutcome.N0, audit.Outcome);
        Assert.NotNull(audit.Recorded);
        Assert.Contains(audit.Entity, e => e.What?.Reference == $"Patient/{patient.Id}/_history/1" && e.Role?.Code == "4");
        Assert.Equal([$"Patient/{patient.Id}"], audit.Patients());
        Assert.Contains(audit.Agent, a => a.Who?.Identifier?.Value == "development" && a.Requestor == true);
        Assert.Equal("AllianceFhir", audit.Source.Observer.Display);
    }

    [Theory]
    [InlineData("read", "read", "R")]
    [InlineData("vread", "vread", "R")]
    [InlineData("history", "history-instance", "R")]
    [InlineData("search", "search-type", "E")]
    [InlineData("update", "update", "U")]
    [InlineData("delete", "delete", "D")]
    [InlineData("observation-search", "search-type", "E")]
    public async Task Each_interaction_records_exactly_one_AuditEvent(string interaction, string subtype, string action)
    {
        var patient = await NewPatientAsync();
        var url = $"/fhir/Patient/{patient.Id}";
        using var response = interaction switch
        {
            "read" => await _client.GetAsync(url),
            "vread" => await _client.GetAsync($"{url}/_history/1"),
            "history" => await _client.GetAsync($"{url}/_history"),
            "search" => await _client.GetAsync($"/fhir/Patient?_id={patient.Id}&_count=5"),
            "update" => await _client.PutAsync(url, Patients.WithId(patient.Id!)),
            "delete" => await _client.DeleteAsync(url),
            _ => await _client.GetAsync($"/fhir/Observation?subject=Patient/{patient.Id}"),
        };
        Assert.True(response.IsSuccessStatusCode, $"{interaction} answered {(int)response.StatusCode}");

        var events = await AuditTrail.WaitForAsync(app.DatabasePath, db => [.. AuditTrail.All(db).Where(e => e.Patients().Contains($"Patient/{patient.Id}") && e.Subtype() == subtype)]);

        var audit = Assert.Single(events);
        Assert.Equal(Enum.Parse<AuditEvent.AuditEventAction>(action), audit.Action);
        Assert.Equal(AuditEvent.AuditEventOutcome.N0, audit.Outcome);
        if (subtype == "search-type")
        {
            Assert.NotNull(audit.QueryText());
        }

        // And no second event turns up later for the same request.
        await System.Threading.Tasks.Task.Delay(1200);
        Assert.Single(AuditTrail.All(app.DatabasePath), e => e.Patients().Contains($"Patient/{patient.Id}") && e.Subtype() == subtype);
    }

    [Fact]
    public async Task A_read_of_an_Observation_names_its_patient()
    {
        var patient = await NewPatientAsync();
        using var created = await _client.PostAsync("/fhir/Observation", Clinical.ScoreFor($"Patient/{patient.Id}"));
        var observation = await created.ReadAsAsync<Observation>();

        using var read = await _client.GetAsync($"/fhir/Observation/{observation.Id}");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var events = await AuditTrail.WaitForAsync(app.DatabasePath, db => [.. AuditTrail.About(db, $"Observation/{observation.Id}")], count: 2);
        Assert.Equal(["create", "read"], events.Select(e => e.Subtype()));
        Assert.All(events, e => Assert.Equal([$"Patient/{patient.Id}"], e.Patients()));
    }

    [Fact]
    public async Task Reads_are_stored_within_a_second()
    {
        var patient = await NewPatientAsync();

        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");

        var events = await AuditTrail.WaitForAsync(app.DatabasePath, db => [.. AuditTrail.About(db, $"Patient/{patient.Id}").Where(e => e.Subtype() == "read")], seconds: 1.0);
        Assert.Single(events);
    }

    [Fact]
    public async Task A_not_found_read_is_audited_as_a_minor_failure()
    {
        var id = Guid.NewGuid().ToString("N");

        using var read = await _client.GetAsync($"/fhir/Patient/{id}");

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        var audit = Assert.Single(await AuditTrail.WaitForAsync(app.DatabasePath, db => AuditTrail.About(db, $"Patient/{id}")));
        Assert.Equal(AuditEvent.AuditEventOutcome.N4, audit.Outcome);
        Assert.Equal("read", audit.Subtype());
    }

    [Fact]
    public async Task A_URL_id_that_is_no_FHIR_id_is_audited_without_a_reference()
    {
        var id = $"{Guid.NewGuid():N}{new string('x', 40)}";
        var before = AuditTrail.All(app.DatabasePath).Count;

        using var read = await _client.GetAsync($"/fhir/Patient/{id}");

        Assert.False(read.IsSuccessStatusCode);
        var audit = Assert.Single(await AuditTrail.WaitForAsync(
            app.DatabasePath,
            db => [.. AuditTrail.All(db).Skip(before).Where(e => e.Subtype() == "read" && e.Entity.Count == 0)]));
        Assert.Equal(AuditEvent.AuditEventOutcome.N4, audit.Outcome);
        Assert.DoesNotContain(AuditTrail.StoredText(app.DatabasePath), json => json.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_name_answer_or_identifier_value_reaches_the_stored_AuditEvents()
    {
        var family = $"Family{Guid.NewGuid():N}";
        var mrn = $"mrn-{Guid.NewGuid():N}";
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn, family));
        var patient = await created.ReadAsAsync<Patient>();
        using var search = await _client.GetAsync($"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}&family={family}&birthdate=1970-01-01&_count=3");
        using var postSearch = await _client.PostAsync(
            "/fhir/Patient/_search",
            new FormUrlEncodedContent([new("identifier", mrn), new("name", family)]));
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Equal(HttpStatusCode.OK, postSearch.StatusCode);

        var searches = await AuditTrail.WaitForAsync(
            app.DatabasePath,
            db => [.. AuditTrail.All(db).Where(e => e.QueryText()?.Contains("identifier", StringComparison.Ordinal) == true && e.Recorded >= patient.Meta!.LastUpdated)],
            count: 2);

        Assert.Equal(2, searches.Count);
        Assert.Equal("Patient?identifier&family&birthdate&_count=3", searches[0].QueryText());
        Assert.Equal("Patient?identifier&name", searches[1].QueryText());
        foreach (var json in AuditTrail.StoredText(app.DatabasePath))
        {
            Assert.DoesNotContain(family, json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(mrn, json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Alex", json, StringComparison.Ordinal);
            Assert.DoesNotContain("1970", json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_transaction_is_one_AuditEvent_naming_every_resource_it_wrote()
    {
        var urn = BundleBuilder.NewUrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(Guid.NewGuid().ToString("N")), urn)
            .Post(Clinical.ScoreFor(urn))
            .Bundle;

        using var response = await _client.PostAsync("/fhir", bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        var locations = result.Entry.Select(e => e.Response!.Location!).ToList();
        var patient = locations[0].Split('/')[1];
        var audit = Assert.Single(AuditTrail.About(app.DatabasePath, $"Patient/{patient}"), e => e.Subtype() == "transaction");
        Assert.Equal(AuditEvent.AuditEventAction.E, audit.Action);
        Assert.Equal(AuditEvent.AuditEventOutcome.N0, audit.Outcome);
        foreach (var location in locations)
        {
            Assert.Contains(audit.Entity, e => e.What?.Reference == location);
        }

        Assert.Equal([$"Patient/{patient}"], audit.Patients());
    }

    [Fact]
    public async Task A_failed_transaction_stores_neither_its_resources_nor_a_successful_audit()
    {
        var mrn = Guid.NewGuid().ToString("N");
        var missing = $"Patient/{Guid.NewGuid():N}";
        var before = AuditTrail.All(app.DatabasePath).Count;
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(mrn), BundleBuilder.NewUrn())
            .Post(Clinical.ScoreFor(missing))
            .Bundle;

        using var response = await _client.PostAsync("/fhir", bundle);

        Assert.False(response.IsSuccessStatusCode);
        Assert.Empty((await _client.SearchAsync($"/fhir/Patient?identifier={mrn}")).Entry);
        var after = await AuditTrail.WaitForAsync(app.DatabasePath, db => [.. AuditTrail.All(db).Skip(before).Where(e => e.Subtype() == "transaction")]);
        var audit = Assert.Single(after);
        Assert.Equal(AuditEvent.AuditEventOutcome.N4, audit.Outcome);
        Assert.DoesNotContain(audit.Entity, e => e.What?.Reference?.StartsWith("Patient/", StringComparison.Ordinal) == true && e.Role?.Code == "4");
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("POST")]
    public async Task AuditEvents_cannot_be_changed_through_the_API(string method)
    {
        var patient = await NewPatientAsync();
        var audit = Assert.Single(AuditTrail.About(app.DatabasePath, $"Patient/{patient.Id}"));
        var stored = AuditTrail.StoredText(app.DatabasePath).Single(j => j.Contains(audit.Id!, StringComparison.Ordinal));
        var changed = (AuditEvent)audit.DeepCopy();
        changed.Outcome = AuditEvent.AuditEventOutcome.N12;
        var count = AuditTrail.All(app.DatabasePath).Count;

        using var response = method switch
        {
            "PUT" => await _client.PutAsync($"/fhir/AuditEvent/{audit.Id}", changed),
            "DELETE" => await _client.DeleteAsync($"/fhir/AuditEvent/{audit.Id}"),
            _ => await _client.PostAsync("/fhir/AuditEvent", changed),
        };

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.NotSupported, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        Assert.Contains(stored, AuditTrail.StoredText(app.DatabasePath));
        using var read = await _client.GetAsync($"/fhir/AuditEvent/{audit.Id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("1", (await read.ReadAsAsync<AuditEvent>()).Meta!.VersionId);

        // The refusal itself is audited, and nothing but audits was added.
        var events = await AuditTrail.WaitForAsync(app.DatabasePath, db => [.. AuditTrail.All(db).Skip(count)], count: 2);
        Assert.Contains(events, e => e.Outcome == AuditEvent.AuditEventOutcome.N4);
    }

    [Fact]
    public async Task AuditEvents_cannot_be_written_in_a_transaction_or_a_batch()
    {
        var mrn = Guid.NewGuid().ToString("N");
        var forged = new AuditEvent
        {
            Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest"),
            Recorded = DateTimeOffset.UtcNow,
            Agent = [new AuditEvent.AgentComponent { Requestor = true }],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "forged" } },
        };
        var transaction = BundleBuilder.Transaction().Post(Patients.WithMrn(mrn)).Post(forged).Bundle;
        var batch = BundleBuilder.Batch().Post(forged).Bundle;

        using var refused = await _client.PostAsync("/fhir", transaction);
        using var batched = await _client.PostAsync("/fhir", batch);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
        Assert.Empty((await _client.SearchAsync($"/fhir/Patient?identifier={mrn}")).Entry);
        Assert.Equal(HttpStatusCode.OK, batched.StatusCode);
        Assert.StartsWith("405", (await batched.ReadAsAsync<Bundle>()).Entry[0].Response!.Status, StringComparison.Ordinal);
        Assert.DoesNotContain(AuditTrail.StoredText(app.DatabasePath), j => j.Contains("forged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reading_AuditEvents_is_audited_once_per_request_and_does_not_grow()
    {
        var patient = await NewPatientAsync();
        var before = AuditTrail.All(app.DatabasePath).Count;

        using var search = await _client.GetAsync($"/fhir/AuditEvent?entity=Patient/{patient.Id}");

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.NotEmpty((await search.ReadAsAsync<Bundle>()).Entry);
        var added = await AuditTrail.WaitForAsync(app.DatabasePath, db => [.. AuditTrail.All(db).Skip(before)]);
        await System.Threading.Tasks.Task.Delay(1200);
        added = [.. AuditTrail.All(app.DatabasePath).Skip(before)];
        var audit = Assert.Single(added);
        Assert.Equal("search-type", audit.Subtype());
        Assert.Equal("AuditEvent?entity", audit.QueryText());
    }

    [Fact]
    public async Task Read_audits_still_queued_are_stored_on_shutdown()
    {
        string path;
        var ids = new List<string>();
        using (var own = new FhirApplication { KeepDatabase = true })
        {
            path = own.DatabasePath;
            using var client = own.CreateClient();
            for (var i = 0; i < 20; i++)
            {
                using var read = await client.GetAsync($"/fhir/Patient/missing-{i}");
                ids.Add($"Patient/missing-{i}");
            }
        }

        // The app is gone: what is in the file now is all that was stored.
        Assert.All(ids, id => Assert.Single(AuditTrail.About(path, id)));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public async Task More_read_audits_than_one_batch_holds_are_all_stored_by_shutdown()
    {
        // More than one append's worth (AuditWriter.MaxBatch), from concurrent clients, with the app stopped at once.
        var count = AllianceFhir.Api.Audit.AuditWriter.MaxBatch + 150;
        string path;
        using (var own = new FhirApplication { KeepDatabase = true })
        {
            path = own.DatabasePath;
            var next = -1;
            await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                using var client = own.CreateClient();
                for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                {
                    using var read = await client.GetAsync($"/fhir/Patient/batch-{i}");
                }
            }));
        }

        var stored = AuditTrail.All(path)
            .SelectMany(e => e.Entity.Select(x => x.What?.Reference))
            .Where(r => r is not null && r.StartsWith("Patient/batch-", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(count, stored.Count);
        Assert.Equal(count, stored.Distinct(StringComparer.Ordinal).Count());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
