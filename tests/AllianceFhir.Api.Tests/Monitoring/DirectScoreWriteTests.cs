using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using static AllianceFhir.Api.Tests.Monitoring.MonitoringScores;

namespace AllianceFhir.Api.Tests.Monitoring;

/// <summary>
/// A score Observation a client writes itself (POST, PUT, conditional writes, transaction and batch entries) runs the
/// rules in that write's commit, exactly as one a response's extraction derives: Flags open and resolve, the episode
/// comes from Observation.encounter. A refused write leaves no Flag, and the rules' own writes never set them off again.
/// </summary>
public sealed class DirectScoreWriteTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Scores_written_by_post_put_and_conditional_writes_open_and_resolve_flags()
    {
        await Patients.StoreAsync(_client, "direct-srs");
        var first = await CreatedIdAsync(await _client.PostAsync("/fhir/Observation", Score("direct-srs", "srs-total", 40, "2026-05-04T10:00:00Z")));
        Assert.Empty(await FlagsAsync(_client, "direct-srs"));

        var second = await CreatedIdAsync(await _client.PostAsync("/fhir/Observation", Score("direct-srs", "srs-total", 35, "2026-05-11T10:00:00Z")));
        var open = await FlagsAsync(_client, "direct-srs");
        Assert.Equal(["srs-drop", "srs-total-low"], open.Select(Rule).Order(StringComparer.Ordinal));
        Assert.All(open, f => Assert.Equal(Flag.FlagStatus.Active, f.Status));
        var low = open.Single(f => Rule(f) == "srs-total-low");
        Assert.Equal("Patient/direct-srs", low.Subject.Reference);
        Assert.StartsWith("SRS total 35 is below 36.", low.Code!.Text, StringComparison.Ordinal);
        Assert.Equal([$"Observation/{second}"], Details(low));
        Assert.Equal([$"Observation/{first}", $"Observation/{second}"], Details(open.Single(f => Rule(f) == "srs-drop")));

        // Update as create under the client's id: 36 is not below 36, so the low total clears; 36 < 40 keeps the fall open.
        var third = Score("direct-srs", "srs-total", 36, "2026-05-18T10:00:00Z");
        third.Id = "direct-srs-3";
        using (var put = await _client.PutAsync("/fhir/Observation/direct-srs-3", third))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var after3 = await FlagsAsync(_client, "direct-srs");
        Assert.Equal(Flag.FlagStatus.Inactive, after3.Single(f => Rule(f) == "srs-total-low").Status);
        Assert.Equal("Observation/direct-srs-3", ResolvedBy(after3.Single(f => Rule(f) == "srs-total-low")));
        Assert.Equal("2026-05-18T10:00:00Z", after3.Single(f => Rule(f) == "srs-total-low").Period!.End);
        Assert.Equal(Flag.FlagStatus.Active, after3.Single(f => Rule(f) == "srs-drop").Status);

        // Conditional create: back at 40, where it fell from, the fall clears too.
        var fourth = Score("direct-srs", "srs-total", 40, "2026-05-25T10:00:00Z");
        fourth.Identifier = [new Identifier("http://ehr.example.org/scores", "direct-srs-4")];
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Observation") { Content = FhirHttp.JsonBody(fourth) })
        {
            request.Headers.Add("If-None-Exist", "identifier=http://ehr.example.org/scores|direct-srs-4");
            using var created = await _client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var after4 = await FlagsAsync(_client, "direct-srs");
        Assert.Equal(2, after4.Count);
        Assert.All(after4, f => Assert.Equal(Flag.FlagStatus.Inactive, f.Status));

        // Conditional update of the fourth to 30: below 36 again and a fall from 36; the fall it had cleared opens again.
        fourth.Value = new Quantity { Value = 30, Unit = "{score}", System = "http://unitsofmeasure.org", Code = "{score}" };
        using (var updated = await _client.PutAsync("/fhir/Observation?identifier=http://ehr.example.org/scores|direct-srs-4", fourth))
        {
            Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        }

        var after5 = await FlagsAsync(_client, "direct-srs");
        Assert.Equal(Flag.FlagStatus.Active, after5.Single(f => Rule(f) == "srs-drop").Status);
        Assert.Equal(
            [Flag.FlagStatus.Inactive, Flag.FlagStatus.Active],
            after5.Where(f => Rule(f) == "srs-total-low").OrderBy(f => f.Period!.Start, StringComparer.Ordinal).Select(f => f.Status));
    }

    [Fact]
    public async Task Withdrawing_a_direct_score_withdraws_the_flag_it_caused()
    {
        await Patients.StoreAsync(_client, "direct-withdraw");
        await CreatedIdAsync(await _client.PostAsync("/fhir/Observation", Score("direct-withdraw", "srs-total", 38, "2026-05-04T10:00:00Z")));
        var low = Score("direct-withdraw", "srs-total", 30, "2026-05-11T10:00:00Z");
        low.Id = "direct-withdraw-2";
        using (var put = await _client.PutAsync("/fhir/Observation/direct-withdraw-2", low))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.All(await FlagsAsync(_client, "direct-withdraw"), f => Assert.Equal(Flag.FlagStatus.Active, f.Status));

        low.Status = ObservationStatus.EnteredInError;
        using (var put = await _client.PutAsync("/fhir/Observation/direct-withdraw-2", low))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var flags = await FlagsAsync(_client, "direct-withdraw");
        Assert.Equal(2, flags.Count);
        Assert.All(flags, f => Assert.Equal(Flag.FlagStatus.EnteredInError, f.Status));

        // Corrected back to final, the same Flags apply again; deleted, they are withdrawn again.
        low.Status = ObservationStatus.Final;
        using (var put = await _client.PutAsync("/fhir/Observation/direct-withdraw-2", low))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.All(await FlagsAsync(_client, "direct-withdraw"), f => Assert.Equal(Flag.FlagStatus.Active, f.Status));
        using (var delete = await _client.DeleteAsync("/fhir/Observation/direct-withdraw-2"))
        {
            Assert.True(delete.IsSuccessStatusCode, $"DELETE answered {(int)delete.StatusCode}");
        }

        flags = await FlagsAsync(_client, "direct-withdraw");
        Assert.Equal(2, flags.Count);
        Assert.All(flags, f => Assert.Equal(Flag.FlagStatus.EnteredInError, f.Status));
    }

    [Fact]
    public async Task A_score_moved_to_another_patient_is_judged_for_both()
    {
        await Patients.StoreAsync(_client, "moved-from");
        await Patients.StoreAsync(_client, "moved-to");
        var low = Score("moved-from", "srs-total", 30, "2026-05-04T10:00:00Z");
        low.Id = "moved-score";
        using (var put = await _client.PutAsync("/fhir/Observation/moved-score", low))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Equal(Flag.FlagStatus.Active, Assert.Single(await FlagsAsync(_client, "moved-from")).Status);

        low.Subject = new ResourceReference("Patient/moved-to");
        using (var put = await _client.PutAsync("/fhir/Observation/moved-score", low))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.Equal(Flag.FlagStatus.EnteredInError, Assert.Single(await FlagsAsync(_client, "moved-from")).Status);
        Assert.Equal(Flag.FlagStatus.Active, Assert.Single(await FlagsAsync(_client, "moved-to")).Status);

        // The same through a response: its extracted scores follow its subject, and the patient they leave is judged again.
        await InstrumentResponses.StoreSubjectAsync(_client, "moved-response-from");
        await Patients.StoreAsync(_client, "moved-response-to");
        var response = InstrumentResponses.Decimals(await InstrumentResponses.FetchAsync(_client, "srs"), "moved-response-from", 8, 8, 8, 8);
        using (var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            response = await created.ReadAsAsync<QuestionnaireResponse>();
        }

        Assert.All(await FlagsAsync(_client, "moved-response-from"), f => Assert.Equal(Flag.FlagStatus.Active, f.Status));
        response.Subject = new ResourceReference("Patient/moved-response-to");
        using (var put = await _client.PutAsync($"/fhir/QuestionnaireResponse/{response.Id}", response))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.All(await FlagsAsync(_client, "moved-response-from"), f => Assert.Equal(Flag.FlagStatus.EnteredInError, f.Status));
        Assert.Equal(["srs-item-low", "srs-total-low"], (await FlagsAsync(_client, "moved-response-to")).Select(Rule).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_direct_score_belongs_to_the_episode_of_its_encounter()
    {
        await Patients.StoreAsync(_client, "direct-episodes");
        foreach (var episode in new[] { "direct-ep-a", "direct-ep-b" })
        {
            using var stored = await _client.PutAsync($"/fhir/EpisodeOfCare/{episode}", new EpisodeOfCare
            {
                Id = episode,
                Status = EpisodeOfCare.EpisodeOfCareStatus.Active,
                Patient = new ResourceReference("Patient/direct-episodes"),
            });
            Assert.True(stored.IsSuccessStatusCode);
            using var encounter = await _client.PutAsync($"/fhir/Encounter/{episode}-visit", new Encounter
            {
                Id = $"{episode}-visit",
                Status = Encounter.EncounterStatus.Finished,
                Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
                Subject = new ResourceReference("Patient/direct-episodes"),
                EpisodeOfCare = [new ResourceReference($"EpisodeOfCare/{episode}")],
            });
            Assert.True(encounter.IsSuccessStatusCode);
        }

        await CreatedIdAsync(await _client.PostAsync("/fhir/Observation", Score("direct-episodes", "srs-total", 40, "2026-05-04T10:00:00Z", "direct-ep-a-visit")));
        await CreatedIdAsync(await _client.PostAsync("/fhir/Observation", Score("direct-episodes", "srs-total", 30, "2026-05-11T10:00:00Z", "direct-ep-b-visit")));

        // 30 is low in episode b, but episode b has no earlier session to have fallen from.
        var flag = Assert.Single(await FlagsAsync(_client, "direct-episodes"));
        Assert.Equal("srs-total-low", Rule(flag));
        Assert.Equal("Encounter/direct-ep-b-visit", flag.Encounter!.Reference);
        var episodeOfFlag = flag.GetExtension("http://alliancefhir.org/fhir/StructureDefinition/monitoring-rule")!.GetExtension("episode");
        Assert.Equal("EpisodeOfCare/direct-ep-b", ((ResourceReference)episodeOfFlag!.Value!).Reference);
    }

    [Fact]
    public async Task A_transaction_of_scores_runs_the_rules_and_a_refused_one_stores_no_flag()
    {
        await Patients.StoreAsync(_client, "direct-tx");
        using (var committed = await _client.PostAsync("/fhir", Transaction(
            Score("direct-tx", "srs-total", 40, "2026-05-04T10:00:00Z"),
            Score("direct-tx", "srs-total", 30, "2026-05-11T10:00:00Z"))))
        {
            Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        }

        var flags = await FlagsAsync(_client, "direct-tx");
        Assert.Equal(["srs-drop", "srs-total-low"], flags.Select(Rule).Order(StringComparer.Ordinal));
        Assert.All(flags, f => Assert.Equal("1", f.Meta!.VersionId));

        // The second entry refers to an encounter that does not exist: the whole transaction is refused, Flags included.
        await Patients.StoreAsync(_client, "direct-tx-refused");
        using (var refused = await _client.PostAsync("/fhir", Transaction(
            Score("direct-tx-refused", "srs-total", 20, "2026-05-04T10:00:00Z"),
            Score("direct-tx-refused", "srs-total", 10, "2026-05-11T10:00:00Z", "no-such-visit"))))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var outcome = await refused.ReadAsAsync<OperationOutcome>();
            Assert.Contains(outcome.Issue, i => i.Diagnostics?.Contains("Encounter/no-such-visit", StringComparison.Ordinal) == true);
        }

        Assert.Empty(await FlagsAsync(_client, "direct-tx-refused"));
        Assert.Empty(await SearchAsync<Observation>(_client, "Observation?subject=Patient/direct-tx-refused"));
    }

    [Fact]
    public async Task A_refused_rest_write_stores_no_flag_and_a_batch_entry_runs_the_rules_in_its_own_commit()
    {
        await Patients.StoreAsync(_client, "direct-refused");
        using (var refused = await _client.PostAsync("/fhir/Observation", Score("direct-refused", "srs-total", 20, "2026-05-04T10:00:00Z", "no-such-visit")))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        }

        Assert.Empty(await FlagsAsync(_client, "direct-refused"));
        Assert.Empty(await SearchAsync<Observation>(_client, "Observation?subject=Patient/direct-refused"));

        var batch = Transaction(
            Score("direct-refused", "srs-total", 20, "2026-05-04T10:00:00Z"),
            Score("direct-refused", "srs-total", 10, "2026-05-11T10:00:00Z", "no-such-visit"));
        batch.Type = Bundle.BundleType.Batch;
        using (var answered = await _client.PostAsync("/fhir", batch))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            var entries = (await answered.ReadAsAsync<Bundle>()).Entry;
            Assert.StartsWith("201", entries[0].Response!.Status, StringComparison.Ordinal);
            Assert.StartsWith("422", entries[1].Response!.Status, StringComparison.Ordinal);
        }

        var flag = Assert.Single(await FlagsAsync(_client, "direct-refused"));
        Assert.StartsWith("SRS total 20 is below 36.", flag.Code!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rules_own_writes_do_not_set_the_rules_off_again()
    {
        await Patients.StoreAsync(_client, "direct-ors");
        await CreatedIdAsync(await _client.PostAsync("/fhir/Observation", Score("direct-ors", "ors-total", 20, "2026-05-04T10:00:00Z")));
        await CreatedIdAsync(await _client.PostAsync("/fhir/Observation", Score("direct-ors", "ors-total", 15, "2026-05-11T10:00:00Z")));

        // Intake 20, then 15: −5 is reliable deterioration. Each derived resource was written once.
        var flag = Assert.Single(await FlagsAsync(_client, "direct-ors"));
        Assert.Equal("ors-deterioration", Rule(flag));
        var change = Assert.Single(await ChangesAsync(_client, "direct-ors"));
        Assert.Equal(-5m, ((Quantity)change.Value!).Value);
        Assert.Equal("deteriorated", change.Interpretation.Single().Coding.Single().Code);
        Assert.Equal("1", flag.Meta!.VersionId);
        Assert.Equal("1", change.Meta!.VersionId);

        // A client writing one of the rules' change Observations back is not a new score: the rules leave it and the Flag alone.
        change.Note = [new Annotation { Text = new Markdown("discussed in supervision") }];
        using (var put = await _client.PutAsync($"/fhir/Observation/{change.Id}", change))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var changeAfter = Assert.Single(await ChangesAsync(_client, "direct-ors"));
        Assert.Equal("2", changeAfter.Meta!.VersionId);
        Assert.Equal("discussed in supervision", changeAfter.Note.Single().Text);
        Assert.Equal("1", Assert.Single(await FlagsAsync(_client, "direct-ors")).Meta!.VersionId);
    }

    private static Bundle Transaction(params Observation[] observations)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var observation in observations)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{Guid.NewGuid()}",
                Resource = observation,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" },
            });
        }

        return bundle;
    }

    private static async Task<string> CreatedIdAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return (await response.ReadAsAsync<Observation>()).Id!;
        }
    }
}
