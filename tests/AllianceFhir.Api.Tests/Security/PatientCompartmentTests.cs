using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Security;

/// <summary>
/// patient/ scopes over HTTP with real tokens: the token's patient ("mine") and another patient ("theirs"), each with
/// an Observation and an Encounter; every interaction must see, change and return only what is in mine's compartment.
/// </summary>
public class PatientCompartmentTests(SecuredApp secured) : IClassFixture<SecuredApp>
{
    private sealed record World(
        HttpClient Admin,
        string Code,
        Patient Mine,
        Patient Theirs,
        Observation MyObservation,
        Observation TheirObservation,
        Observation MineObservedByThem,
        Observation PerformedByMe,
        Encounter MyEncounter) : IDisposable
    {
        public void Dispose() => Admin.Dispose();
    }

    private async Task<World> WorldAsync()
    {
        var admin = secured.ClientWithScopes(SecuredApp.FullAccess);
        var code = Guid.NewGuid().ToString("N");
        var mine = await CreateAsync(admin, Patients.WithMrn(Guid.NewGuid().ToString("N"), "Mine"));
        var theirs = await CreateAsync(admin, Patients.WithMrn(Guid.NewGuid().ToString("N"), "Theirs"));
        var encounter = await CreateAsync(admin, new Encounter
        {
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
            Subject = new ResourceReference($"Patient/{mine.Id}"),
        });
        var myObservation = await CreateAsync(admin, Observation(code, mine.Id));
        var theirObservation = Observation(code, theirs.Id);

        // Theirs, but recorded during my encounter: reachable from mine by _revinclude, yet not in my compartment.
        theirObservation.Encounter = new ResourceReference($"Encounter/{encounter.Id}");
        theirObservation = await CreateAsync(admin, theirObservation);
        var observedByThem = Observation(code, mine.Id);
        observedByThem.Performer = [new ResourceReference($"Patient/{theirs.Id}")];
        observedByThem = await CreateAsync(admin, observedByThem);

        // About them, but performed by me: in my compartment through performer alone (and in theirs through subject).
        var performedByMe = Observation(code, theirs.Id);
        performedByMe.Performer = [new ResourceReference($"Patient/{mine.Id}")];
        performedByMe = await CreateAsync(admin, performedByMe);
        return new World(admin, code, mine, theirs, myObservation, theirObservation, observedByThem, performedByMe, encounter);
    }

    private HttpClient PatientClient(string scopes, string? patient) =>
        secured.Client(secured.Idp.Token(scopes, claims: patient is null ? null : new Dictionary<string, object> { ["patient"] = patient }));

    [Theory]
    [InlineData("patient/*.read")]
    [InlineData("patient/*.rs")]
    [InlineData("patient/Observation.r patient/Patient.r")]
    public async Task Reads_inside_the_compartment_answer_and_outside_are_not_found(string scopes)
    {
        using var world = await WorldAsync();
        using var client = PatientClient(scopes, world.Mine.Id);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Patient/{world.Mine.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Observation/{world.MyObservation.Id}")).StatusCode);
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Patient/{world.Theirs.Id}"));
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Observation/{world.TheirObservation.Id}"));
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Observation/{world.TheirObservation.Id}/_history/1"));
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Observation/{world.TheirObservation.Id}/_history"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Observation/{world.MyObservation.Id}/_history")).StatusCode);
    }

    [Fact]
    public async Task A_deleted_resource_outside_the_compartment_is_not_found_rather_than_gone()
    {
        using var world = await WorldAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await world.Admin.DeleteAsync($"/fhir/Observation/{world.TheirObservation.Id}")).StatusCode);
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Observation/{world.TheirObservation.Id}"));
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Observation/{world.TheirObservation.Id}/_history/2"));
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Observation/{world.TheirObservation.Id}/_history"));
        Assert.Equal(HttpStatusCode.Gone, (await world.Admin.GetAsync($"/fhir/Observation/{world.TheirObservation.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_members_deletion_is_gone_and_shows_in_its_history()
    {
        using var world = await WorldAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await world.Admin.DeleteAsync($"/fhir/Observation/{world.MyObservation.Id}")).StatusCode);
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        Assert.Equal(HttpStatusCode.Gone, (await client.GetAsync($"/fhir/Observation/{world.MyObservation.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await client.GetAsync($"/fhir/Observation/{world.MyObservation.Id}/_history/2")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Observation/{world.MyObservation.Id}/_history/1")).StatusCode);
        Assert.Equal(["2 DELETE", "1 POST"], await HistoryAsync(client, $"Observation/{world.MyObservation.Id}"));
    }

    [Fact]
    public async Task Each_version_is_judged_on_its_own_content_by_vread_and_history()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        // Mine at version 1, moved to the other patient at version 2, back to me at version 3, theirs again at 4.
        var moved = (Observation)world.MyObservation.DeepCopy();
        foreach (var subject in new[] { world.Theirs.Id, world.Mine.Id, world.Theirs.Id })
        {
            moved.Subject = new ResourceReference($"Patient/{subject}");
            moved = await (await world.Admin.PutAsync($"/fhir/Observation/{moved.Id}", moved)).ReadAsAsync<Observation>();
        }

        var path = $"/fhir/Observation/{moved.Id}";
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{path}/_history/1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{path}/_history/3")).StatusCode);
        await AssertNotFoundAsync(await client.GetAsync(path));

        // A version outside answers as a version that never was, in the same words.
        using var hidden = await client.GetAsync($"{path}/_history/2");
        using var unknown = await client.GetAsync($"{path}/_history/9");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(
            (await unknown.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics!.Replace("version 9", "version 2", StringComparison.Ordinal),
            (await hidden.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics);
        await AssertNotFoundAsync(await client.GetAsync($"{path}/_history/4"));

        Assert.Equal(["3 PUT", "1 POST"], await HistoryAsync(client, $"Observation/{moved.Id}"));
        Assert.Equal(["3 PUT"], await HistoryAsync(client, $"Observation/{moved.Id}", "_count=1"));
        Assert.Equal(["4 PUT", "3 PUT", "2 PUT", "1 POST"], await HistoryAsync(world.Admin, $"Observation/{moved.Id}"));

        // The other patient's token sees the other versions, and never mine.
        using var theirs = PatientClient("patient/*.rs", world.Theirs.Id);
        Assert.Equal(["4 PUT", "2 PUT"], await HistoryAsync(theirs, $"Observation/{moved.Id}"));
        await AssertNotFoundAsync(await theirs.GetAsync($"{path}/_history/1"));
    }

    [Fact]
    public async Task A_resource_that_moved_into_the_compartment_hides_its_earlier_versions()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs", world.Mine.Id);
        var takenIn = (Observation)world.TheirObservation.DeepCopy();
        takenIn.Subject = new ResourceReference($"Patient/{world.Mine.Id}");
        Assert.Equal(HttpStatusCode.OK, (await world.Admin.PutAsync($"/fhir/Observation/{takenIn.Id}", takenIn)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Observation/{takenIn.Id}/_history/2")).StatusCode);
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Observation/{takenIn.Id}/_history/1"));
        Assert.Equal(["2 PUT"], await HistoryAsync(client, $"Observation/{takenIn.Id}"));
    }

    [Fact]
    public async Task A_search_returns_only_compartment_members()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        // A member through performer alone is found as it is read: by every membership parameter, not the first.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Observation/{world.PerformedByMe.Id}")).StatusCode);
        Assert.Equal(
            Ids(world.MyObservation, world.MineObservedByThem, world.PerformedByMe),
            await MatchIdsAsync(client, $"/fhir/Observation?code={world.Code}"));
        Assert.Equal(Ids(world.Mine), await MatchIdsAsync(client, $"/fhir/Patient?_id={world.Mine.Id},{world.Theirs.Id}"));
        Assert.Equal(Ids(world.PerformedByMe), await MatchIdsAsync(client, $"/fhir/Observation?subject=Patient/{world.Theirs.Id}"));
        Assert.Equal(Ids(world.TheirObservation, world.PerformedByMe), await MatchIdsAsync(world.Admin, $"/fhir/Observation?code={world.Code}&subject=Patient/{world.Theirs.Id}"));

        // The other patient's token finds theirs (subject) and the one they performed on me (performer), never mine alone.
        using var theirs = PatientClient("patient/*.rs", world.Theirs.Id);
        Assert.Equal(
            Ids(world.TheirObservation, world.PerformedByMe, world.MineObservedByThem),
            await MatchIdsAsync(theirs, $"/fhir/Observation?code={world.Code}"));
    }

    [Fact]
    public async Task A_patient_that_links_to_mine_is_found_as_it_is_read_but_has_never_asks_about_it()
    {
        using var world = await WorldAsync();
        var linked = Patients.WithMrn(Guid.NewGuid().ToString("N"), "Linked");
        linked.Link = [new Patient.LinkComponent { Other = new ResourceReference($"Patient/{world.Mine.Id}"), Type = Patient.LinkType.Seealso }];
        linked = await CreateAsync(world.Admin, linked);
        await CreateAsync(world.Admin, Observation(world.Code, linked.Id));
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Patient/{linked.Id}")).StatusCode);
        Assert.Equal(Ids(world.Mine, linked), await MatchIdsAsync(client, $"/fhir/Patient?_id={world.Mine.Id},{linked.Id},{world.Theirs.Id}"));

        // The linked Patient's own Observations are not in my compartment, so _has may not answer about them.
        Assert.Equal(Ids(world.Mine), await MatchIdsAsync(client, $"/fhir/Patient?_has:Observation:subject:code={world.Code}"));
        Assert.Equal(Ids(world.Mine, world.Theirs, linked), await MatchIdsAsync(world.Admin, $"/fhir/Patient?_has:Observation:subject:code={world.Code}"));
    }

    [Fact]
    public async Task Includes_and_revincludes_return_only_what_the_token_may_read()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        // My Observation names the other patient as performer: the match is mine, the included performer is not.
        var included = await SearchAsync(client, $"/fhir/Observation?_id={world.MineObservedByThem.Id}&_include=Observation:performer&_include=Observation:subject");
        Assert.Equal(Ids(world.MineObservedByThem), IdsOf(included, Bundle.SearchEntryMode.Match));
        Assert.Equal(Ids(world.Mine), IdsOf(included, Bundle.SearchEntryMode.Include));

        // Mine through performer alone: found, with me included and the other patient (its subject) left out.
        var performed = await SearchAsync(client, $"/fhir/Observation?_id={world.PerformedByMe.Id}&_include=Observation:performer&_include=Observation:subject");
        Assert.Equal(Ids(world.PerformedByMe), IdsOf(performed, Bundle.SearchEntryMode.Match));
        Assert.Equal(Ids(world.Mine), IdsOf(performed, Bundle.SearchEntryMode.Include));

        // From my Patient, a revinclude through performer brings it in; through subject, only mine.
        var mine = await SearchAsync(client, $"/fhir/Patient?_id={world.Mine.Id}&_revinclude=Observation:performer&_revinclude=Observation:subject");
        Assert.Equal(Ids(world.MyObservation, world.MineObservedByThem, world.PerformedByMe), IdsOf(mine, Bundle.SearchEntryMode.Include));

        // Their Observation refers to my Encounter: a revinclude from my Encounter must not bring it in.
        var revincluded = await SearchAsync(client, $"/fhir/Encounter?_id={world.MyEncounter.Id}&_revinclude=Observation:encounter");
        Assert.Equal(Ids(world.MyEncounter), IdsOf(revincluded, Bundle.SearchEntryMode.Match));
        Assert.Empty(IdsOf(revincluded, Bundle.SearchEntryMode.Include));

        // The same searches with a full-access token do return them (the test would pass vacuously otherwise).
        var all = await SearchAsync(world.Admin, $"/fhir/Encounter?_id={world.MyEncounter.Id}&_revinclude=Observation:encounter");
        Assert.Equal(Ids(world.TheirObservation), IdsOf(all, Bundle.SearchEntryMode.Include));
    }

    [Fact]
    public async Task Chains_filter_by_members_only_and_never_reveal_others()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        Assert.Equal(Ids(world.MyObservation, world.MineObservedByThem), await MatchIdsAsync(client, $"/fhir/Observation?code={world.Code}&subject:Patient.family=Mine"));

        // The performer of one of my Observations is the other patient: a chain may not test what that patient is called.
        Assert.Empty(await MatchIdsAsync(client, $"/fhir/Observation?code={world.Code}&performer:Patient.family=Theirs"));
        Assert.Equal(Ids(world.MineObservedByThem), await MatchIdsAsync(world.Admin, $"/fhir/Observation?code={world.Code}&performer:Patient.family=Theirs"));

        // A chain into Observation finds a member through performer alone; a panel of theirs holding the same member is not mine.
        var myPanel = Observation(world.Code, world.Mine.Id);
        myPanel.HasMember = [new ResourceReference($"Observation/{world.PerformedByMe.Id}")];
        myPanel = await CreateAsync(world.Admin, myPanel);
        var theirPanel = Observation(world.Code, world.Theirs.Id);
        theirPanel.HasMember = [new ResourceReference($"Observation/{world.PerformedByMe.Id}")];
        theirPanel = await CreateAsync(world.Admin, theirPanel);
        Assert.Equal(Ids(myPanel), await MatchIdsAsync(client, $"/fhir/Observation?has-member:Observation._id={world.PerformedByMe.Id}"));
        Assert.Equal(Ids(myPanel, theirPanel), await MatchIdsAsync(world.Admin, $"/fhir/Observation?has-member:Observation._id={world.PerformedByMe.Id}"));
    }

    [Fact]
    public async Task Has_answers_for_the_tokens_own_patient_and_refuses_what_could_leak()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        Assert.Equal(Ids(world.Mine), await MatchIdsAsync(client, $"/fhir/Patient?_has:Observation:subject:code={world.Code}"));

        // Their Observation points at my Encounter: "does an Observation with this code point here" would be about theirs.
        using var refused = await client.GetAsync($"/fhir/Encounter?_has:Observation:encounter:code={world.Code}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("_has:Observation:encounter", (await refused.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_inside_succeeds_and_outside_is_refused_storing_nothing()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);
        var code = Guid.NewGuid().ToString("N");

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/fhir/Observation", Observation(code, world.Mine.Id))).StatusCode);
        await AssertForbiddenAsync(await client.PostAsync("/fhir/Observation", Observation(code, world.Theirs.Id)), "outside");
        await AssertForbiddenAsync(await client.PostAsync("/fhir/Patient", Patients.WithMrn(code)), "outside");

        Assert.Single(await MatchIdsAsync(world.Admin, $"/fhir/Observation?code={code}"));
        Assert.Empty(await ScopeMatrixTests.PatientsWithMrnAsync(world.Admin, code));
    }

    [Fact]
    public async Task Updates_may_not_move_a_resource_out_nor_take_one_in()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);

        var movedOut = (Observation)world.MyObservation.DeepCopy();
        movedOut.Subject = new ResourceReference($"Patient/{world.Theirs.Id}");
        await AssertForbiddenAsync(await client.PutAsync($"/fhir/Observation/{movedOut.Id}", movedOut), "outside");

        var takenIn = (Observation)world.TheirObservation.DeepCopy();
        takenIn.Subject = new ResourceReference($"Patient/{world.Mine.Id}");
        await AssertForbiddenAsync(await client.PutAsync($"/fhir/Observation/{takenIn.Id}", takenIn), "may update");

        Assert.Equal("1", (await ReadAsync<Observation>(world.Admin, $"Observation/{world.MyObservation.Id}")).Meta?.VersionId);
        Assert.Equal("1", (await ReadAsync<Observation>(world.Admin, $"Observation/{world.TheirObservation.Id}")).Meta?.VersionId);

        var kept = (Observation)world.MyObservation.DeepCopy();
        kept.Status = ObservationStatus.Amended;
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/fhir/Observation/{kept.Id}", kept)).StatusCode);
    }

    [Fact]
    public async Task Deleting_outside_answers_as_for_an_unknown_id_and_inside_succeeds()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);

        await AssertNotFoundAsync(await client.DeleteAsync($"/fhir/Observation/{world.TheirObservation.Id}"));
        await AssertNotFoundAsync(await client.DeleteAsync($"/fhir/Observation/{Guid.NewGuid():N}"));
        Assert.Equal(HttpStatusCode.OK, (await world.Admin.GetAsync($"/fhir/Observation/{world.TheirObservation.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/fhir/Observation/{world.MyObservation.Id}")).StatusCode);

        // Deleting again is repeatable for a member, and a deleted outsider stays as unknown as before.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/fhir/Observation/{world.MyObservation.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await world.Admin.DeleteAsync($"/fhir/Observation/{world.TheirObservation.Id}")).StatusCode);
        await AssertNotFoundAsync(await client.DeleteAsync($"/fhir/Observation/{world.TheirObservation.Id}"));
    }

    [Fact]
    public async Task A_put_to_an_id_outside_answers_as_a_put_to_an_unknown_id_and_stores_nothing()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);
        var outside = (Observation)world.TheirObservation.DeepCopy();
        outside.Subject = new ResourceReference($"Patient/{world.Mine.Id}");
        var fresh = (Observation)outside.DeepCopy();
        fresh.Id = Guid.NewGuid().ToString("N");

        using var taken = await client.PutAsync($"/fhir/Observation/{outside.Id}", outside);
        using var free = await client.PutAsync($"/fhir/Observation/{fresh.Id}", fresh);

        Assert.Equal(HttpStatusCode.Forbidden, taken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, free.StatusCode);
        Assert.Equal(
            (await free.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics!.Replace(fresh.Id, "{id}", StringComparison.Ordinal),
            (await taken.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics!.Replace(outside.Id!, "{id}", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await world.Admin.GetAsync($"/fhir/Observation/{fresh.Id}")).StatusCode);
        Assert.Equal("1", (await ReadAsync<Observation>(world.Admin, $"Observation/{outside.Id}")).Meta?.VersionId);
    }

    [Fact]
    public async Task A_reference_to_a_resource_outside_fails_as_a_reference_to_nothing_and_stores_nothing()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);
        var code = Guid.NewGuid().ToString("N");
        var answers = new List<string>();
        foreach (var (patient, observation) in new[] { (world.Theirs.Id!, world.TheirObservation.Id!), (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N")) })
        {
            var mine = Observation(code, world.Mine.Id);
            mine.Performer = [new ResourceReference($"Patient/{patient}")];
            mine.HasMember = [new ResourceReference($"Observation/{observation}")];
            using var response = await client.PostAsync("/fhir/Observation", mine);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            answers.Add(string.Join('\n', (await response.ReadAsAsync<OperationOutcome>()).Issue.Select(i => $"{i.Code} {i.Diagnostics}"))
                .Replace(patient, "{patient}", StringComparison.Ordinal).Replace(observation, "{observation}", StringComparison.Ordinal));
        }

        Assert.Equal(answers[1], answers[0]);
        Assert.Empty(await MatchIdsAsync(world.Admin, $"/fhir/Observation?code={code}"));

        // The same references from a full-access token resolve (the test would pass vacuously otherwise).
        var full = Observation(code, world.Mine.Id);
        full.Performer = [new ResourceReference($"Patient/{world.Theirs.Id}")];
        Assert.Equal(HttpStatusCode.Created, (await world.Admin.PostAsync("/fhir/Observation", full)).StatusCode);
    }

    [Fact]
    public async Task A_refused_delete_names_only_the_referrers_the_token_may_read()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);
        var mine = Observation(world.Code, world.Mine.Id);
        mine.Encounter = new ResourceReference($"Encounter/{world.MyEncounter.Id}");
        mine = await CreateAsync(world.Admin, mine);

        using var response = await client.DeleteAsync($"/fhir/Encounter/{world.MyEncounter.Id}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var text = string.Join('\n', (await response.ReadAsAsync<OperationOutcome>()).Issue.Select(i => i.Diagnostics));
        Assert.Contains($"Observation/{mine.Id}", text, StringComparison.Ordinal);
        Assert.DoesNotContain(world.TheirObservation.Id!, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await world.Admin.GetAsync($"/fhir/Encounter/{world.MyEncounter.Id}")).StatusCode);
    }

    [Theory]
    [InlineData(Bundle.BundleType.Batch)]
    [InlineData(Bundle.BundleType.Transaction)]
    public async Task Bundle_entries_by_id_outside_answer_as_for_unknown_ids(Bundle.BundleType type)
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);
        var unknown = Guid.NewGuid().ToString("N");
        var answers = new Dictionary<string, string>();
        foreach (var (name, id) in new[] { ("outside", world.TheirObservation.Id), ("unknown", unknown) })
        {
            foreach (var method in new[] { Bundle.HTTPVerb.PUT, Bundle.HTTPVerb.DELETE, Bundle.HTTPVerb.GET })
            {
                var entry = new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = method, Url = $"Observation/{id}" } };
                if (method == Bundle.HTTPVerb.PUT)
                {
                    var body = Observation(world.Code, world.Mine.Id);
                    body.Id = id;
                    entry.Resource = body;
                    entry.FullUrl = $"{secured.App.Server.BaseAddress}fhir/Observation/{id}";
                }

                var bundle = new Bundle { Type = type, Entry = [entry] };
                using var response = await client.PostAsync("/fhir", bundle);
                var answer = type == Bundle.BundleType.Batch
                    ? (await response.ReadAsAsync<Bundle>()).Entry[0].Response?.Status + " " + ((await response.ReadAsAsync<Bundle>()).Entry[0].Response?.Outcome as OperationOutcome)?.Issue[0].Diagnostics
                    : $"{(int)response.StatusCode} {(await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics}";
                answers[$"{name} {method}"] = answer.Replace(id!, "{id}", StringComparison.Ordinal);
            }
        }

        foreach (var method in new[] { "PUT", "DELETE", "GET" })
        {
            Assert.Equal(answers[$"unknown {method}"], answers[$"outside {method}"]);
        }

        Assert.StartsWith("403", answers["outside PUT"], StringComparison.Ordinal);
        Assert.StartsWith("404", answers["outside DELETE"], StringComparison.Ordinal);
        Assert.StartsWith("404", answers["outside GET"], StringComparison.Ordinal);
        Assert.Equal("1", (await ReadAsync<Observation>(world.Admin, $"Observation/{world.TheirObservation.Id}")).Meta?.VersionId);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Admin.GetAsync($"/fhir/Observation/{unknown}")).StatusCode);
    }

    [Fact]
    public async Task A_transaction_with_one_entry_outside_stores_nothing()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);
        var code = Guid.NewGuid().ToString("N");

        using var response = await client.PostAsync("/fhir", ScopeMatrixTests.Transaction(Observation(code, world.Mine.Id), Observation(code, world.Theirs.Id)));

        await AssertForbiddenAsync(response, "Bundle.entry[1]");
        Assert.Empty(await MatchIdsAsync(world.Admin, $"/fhir/Observation?code={code}"));
    }

    [Fact]
    public async Task A_batch_decides_each_entry_on_its_own()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);
        var code = Guid.NewGuid().ToString("N");
        var batch = ScopeMatrixTests.Transaction(Observation(code, world.Mine.Id), Observation(code, world.Theirs.Id));
        batch.Type = Bundle.BundleType.Batch;
        batch.Entry.Add(new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = $"Observation/{world.TheirObservation.Id}" } });
        batch.Entry.Add(new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = $"Observation?code={world.Code}&_revinclude=Observation:has-member" } });

        using var response = await client.PostAsync("/fhir", batch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.StartsWith("201", result.Entry[0].Response?.Status, StringComparison.Ordinal);
        Assert.StartsWith("403", result.Entry[1].Response?.Status, StringComparison.Ordinal);
        Assert.StartsWith("404", result.Entry[2].Response?.Status, StringComparison.Ordinal);
        Assert.Equal(Ids(world.MyObservation, world.MineObservedByThem, world.PerformedByMe), IdsOf(Assert.IsType<Bundle>(result.Entry[3].Resource), Bundle.SearchEntryMode.Match));
        Assert.Single(await MatchIdsAsync(world.Admin, $"/fhir/Observation?code={code}"));
    }

    [Theory]
    [InlineData("/fhir/Observation/_history", "own history")]
    [InlineData("/fhir/_history", "Practitioner")] // the system history reaches types outside every compartment
    [InlineData("/fhir?_type=Observation", "search each type")]
    public async Task History_and_searches_across_types_are_refused(string url, string hint)
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        await AssertForbiddenAsync(await client.GetAsync(url), hint);
    }

    [Fact]
    public async Task A_patient_scope_without_a_patient_claim_is_refused_saying_so()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs", patient: null);

        await AssertForbiddenAsync(await client.GetAsync($"/fhir/Observation/{world.MyObservation.Id}"), "no patient claim");
    }

    [Fact]
    public async Task User_and_patient_scopes_together_grant_the_union()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs user/Observation.rs", world.Mine.Id);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Observation/{world.TheirObservation.Id}")).StatusCode);
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Patient/{world.Theirs.Id}"));
        Assert.Equal(
            Ids(world.MyObservation, world.TheirObservation, world.MineObservedByThem, world.PerformedByMe),
            await MatchIdsAsync(client, $"/fhir/Observation?code={world.Code}"));
    }

    [Fact]
    public async Task The_instrument_catalog_stays_readable_and_other_types_are_outside_any_compartment()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.rs", world.Mine.Id);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/fhir/Questionnaire?_count=1")).StatusCode);
        await AssertForbiddenAsync(await client.GetAsync("/fhir/Practitioner"), "not in the Patient compartment");
    }

    [Fact]
    public async Task A_search_filtered_scope_grants_only_the_matching_resources()
    {
        using var world = await WorldAsync();
        var survey = Observation(world.Code, world.Mine.Id);
        survey.Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "survey")];
        survey = await CreateAsync(world.Admin, survey);
        using var client = PatientClient("patient/Observation.crus?category=survey", world.Mine.Id);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Observation/{survey.Id}")).StatusCode);
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Observation/{world.MyObservation.Id}"));
        Assert.Equal(Ids(survey), await MatchIdsAsync(client, $"/fhir/Observation?code={world.Code}"));

        // Writing an Observation the scope's search does not match is writing outside it.
        var code = Guid.NewGuid().ToString("N");
        await AssertForbiddenAsync(await client.PostAsync("/fhir/Observation", Observation(code, world.Mine.Id)), "category=survey");
        var matching = Observation(code, world.Mine.Id);
        matching.Category = survey.Category;
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/fhir/Observation", matching)).StatusCode);
        Assert.Single(await MatchIdsAsync(world.Admin, $"/fhir/Observation?code={code}"));
    }

    /// <summary>The test client's base: no public base is configured, so the request's own counts.</summary>
    private const string OwnBase = "http://localhost/fhir";

    [Fact]
    public async Task A_reference_under_our_base_is_in_the_compartment_it_names_for_writes_reads_and_searches()
    {
        using var world = await WorldAsync();
        using var client = PatientClient("patient/*.cruds", world.Mine.Id);

        var intoTheirs = Observation(world.Code, null);
        intoTheirs.Subject = new ResourceReference($"{OwnBase}/Patient/{world.Theirs.Id}");
        await AssertForbiddenAsync(await client.PostAsync("/fhir/Observation", intoTheirs), "outside");

        var intoMine = Observation(world.Code, null);
        intoMine.Subject = new ResourceReference($"{OwnBase}/Patient/{world.Mine.Id}");
        var written = await CreateAsync(client, intoMine);

        var recordedByAdmin = Observation(world.Code, null);
        recordedByAdmin.Subject = new ResourceReference($"{OwnBase}/Patient/{world.Mine.Id}");
        recordedByAdmin = await CreateAsync(world.Admin, recordedByAdmin);
        var theirsByAdmin = Observation(world.Code, null);
        theirsByAdmin.Subject = new ResourceReference($"{OwnBase}/Patient/{world.Theirs.Id}");
        theirsByAdmin = await CreateAsync(world.Admin, theirsByAdmin);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/fhir/Observation/{recordedByAdmin.Id}")).StatusCode);
        await AssertNotFoundAsync(await client.GetAsync($"/fhir/Observation/{theirsByAdmin.Id}"));
        Assert.Equal(
            Ids(world.MyObservation, world.MineObservedByThem, world.PerformedByMe, written, recordedByAdmin),
            await MatchIdsAsync(client, $"/fhir/Observation?code={world.Code}"));
    }

    private static Observation Observation(string code, string? patientId) => new()
    {
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://example.org/codes", code),
        Subject = new ResourceReference($"Patient/{patientId}"),
    };

    private static async Task<T> CreateAsync<T>(HttpClient admin, T resource)
        where T : Resource
    {
        using var response = await admin.PostAsync($"/fhir/{resource.TypeName}", resource);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsAsync<T>();
    }

    private static async Task<T> ReadAsync<T>(HttpClient client, string path)
        where T : Resource => await (await client.GetAsync($"/fhir/{path}")).ReadAsAsync<T>();

    private static async Task<Bundle> SearchAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsAsync<Bundle>();
    }

    /// <summary>A resource's history as the caller sees it: "version method" per entry, newest first.</summary>
    private static async Task<List<string>> HistoryAsync(HttpClient client, string path, string query = "")
    {
        var bundle = await SearchAsync(client, $"/fhir/{path}/_history?{query}");
        Assert.Equal(Bundle.BundleType.History, bundle.Type);
        return [.. bundle.Entry.Select(e => $"{e.Response?.Etag?.Trim('W', '/', '"')} {e.Request?.Method}")];
    }

    private static async Task<List<string>> MatchIdsAsync(HttpClient client, string url) =>
        IdsOf(await SearchAsync(client, url), Bundle.SearchEntryMode.Match);

    private static List<string> IdsOf(Bundle bundle, Bundle.SearchEntryMode mode) =>
        [.. bundle.Entry.Where(e => e.Search?.Mode == mode).Select(e => $"{e.Resource?.TypeName}/{e.Resource?.Id}").Order(StringComparer.Ordinal)];

    private static List<string> Ids(params Resource[] resources) =>
        [.. resources.Select(r => $"{r.TypeName}/{r.Id}").Order(StringComparer.Ordinal)];

    private static async Task AssertNotFoundAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(OperationOutcome.IssueType.NotFound, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        }
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response, string reason)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var outcome = await response.ReadAsAsync<OperationOutcome>();
            Assert.Equal(OperationOutcome.IssueType.Forbidden, outcome.Issue[0].Code);
            Assert.Contains(reason, string.Join(" ", outcome.Issue.Select(i => i.Diagnostics)), StringComparison.Ordinal);
        }
    }
}
