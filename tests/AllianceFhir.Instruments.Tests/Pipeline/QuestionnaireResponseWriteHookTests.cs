using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Pipeline;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Instruments.Tests.Pipeline;

public class QuestionnaireResponseWriteHookTests
{
    private const string Score = "http://alliancefhir.org/fhir/CodeSystem/alliance-score";
    private readonly QuestionnaireResponseWriteHook _hook = new(new QuestionnaireResponseProcessor(new ScoringEngine()));
    private readonly Questionnaire _wai = Responses.Instrument("wai-sr");
    private readonly InMemoryReader _store;

    public QuestionnaireResponseWriteHookTests() => _store = new InMemoryReader(_wai);

    [Fact]
    public async Task Create_scores_the_response_and_adds_one_observation_per_score()
    {
        var response = Responses.Choices(_wai, 4, 3, 0, 1, 2, 1, 0, 2, 4, 1, 3, 0);
        response.Source = new ResourceReference("Patient/p1");
        var context = await WriteAsync(WriteOperation.Create, response, previous: null);

        Assert.Equal(33, ((Integer)Responses.AnswerOf(response, "total")!).Value);
        Assert.Equal(4, context.DependentWrites.Count);
        var total = Observation(context.DependentWrites, "wai-sr-total");
        Assert.NotNull(total.Id);
        Assert.Equal(ObservationStatus.Final, total.Status);
        Assert.Equal("survey", total.Category.Single().Coding.Single().Code);
        Assert.Equal("Patient/p1", total.Subject!.Reference);
        Assert.Equal("Encounter/e1", total.Encounter!.Reference);
        Assert.Equal("2026-11-20T10:00:00Z", ((FhirDateTime)total.Effective!).Value);
        // The client answered (source); the practitioner only recorded it (author): the rater is the client.
        Assert.Equal("Patient/p1", total.Performer.Single().Reference);
        Assert.Equal("QuestionnaireResponse/qr1", total.DerivedFrom.Single().Reference);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), total.Issued);
        Assert.Equal(33m, ((Quantity)total.Value!).Value); // every score is a {score} Quantity now
        Assert.Empty(total.Interpretation);
        Assert.Equal(12m, ((Quantity)Observation(context.DependentWrites, "wai-sr-task").Value!).Value);
    }

    [Theory]
    [InlineData("RelatedPerson/carer", "RelatedPerson/carer")]
    [InlineData(null, "Practitioner/pr1")]
    public async Task The_rater_is_who_answered_and_the_author_only_without_a_source(string? source, string performer)
    {
        var response = Responses.Choices(_wai, 4, 3, 0, 1, 2, 1, 0, 2, 4, 1, 3, 0);
        response.Source = source is null ? null : new ResourceReference(source);

        var context = await WriteAsync(WriteOperation.Create, response, previous: null);

        Assert.All(context.DependentWrites.OfType<Observation>(), o => Assert.Equal(performer, o.Performer.Single().Reference));
    }

    [Fact]
    public async Task Invalid_response_is_rejected_with_422_and_nothing_derived()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Item.RemoveAt(2);

        var ex = await Assert.ThrowsAsync<FhirOperationException>(() => WriteAsync(WriteOperation.Create, response, previous: null));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, ex.Status);
        Assert.Contains(ex.Outcome.Issue, i => i.Diagnostics!.Contains("'3'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_questionnaire_is_rejected_with_422()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Questionnaire = "http://alliancefhir.org/fhir/Questionnaire/wai-sr|9.9.9";

        var ex = await Assert.ThrowsAsync<FhirOperationException>(() => WriteAsync(WriteOperation.Create, response, previous: null));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, ex.Status);
    }

    [Fact]
    public async Task Update_rederives_the_same_observations_in_place()
    {
        var first = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _store.Commit(await WriteAsync(WriteOperation.Create, first, previous: null));
        _store.Put(first);
        var ids = _store.All<Observation>().ToDictionary(o => o.Code!.Coding[0].Code!, o => o.Id);

        // Only item 3 (bond) changes: total and bond are rewritten with their ids, task and goal stay untouched.
        var second = Responses.Choices(_wai, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        second.Status = QuestionnaireResponse.QuestionnaireResponseStatus.Amended;
        var context = await WriteAsync(WriteOperation.Update, second, previous: first);
        _store.Commit(context);

        Assert.Equal(["wai-sr-bond", "wai-sr-total"], context.DependentWrites.Cast<Observation>().Select(o => o.Code!.Coding[0].Code).Order());
        Assert.All(context.DependentWrites, o => Assert.Equal(ids[((Observation)o).Code!.Coding[0].Code!], o.Id));
        Assert.All(context.DependentWrites, o => Assert.Equal(ObservationStatus.Amended, ((Observation)o).Status));
        Assert.Equal(4, _store.All<Observation>().Count());
        Assert.Equal(16m, ((Quantity)Observation(_store.All<Observation>(), "wai-sr-total").Value!).Value);
    }

    [Fact]
    public async Task Delete_marks_derived_observations_entered_in_error()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _store.Commit(await WriteAsync(WriteOperation.Create, response, previous: null));

        var context = new ResourceWriteContext(WriteOperation.Delete, "QuestionnaireResponse", "qr1", null, response, _store);
        await _hook.OnWriteAsync(context, CancellationToken.None);
        _store.Commit(context);

        Assert.Equal(4, context.DependentWrites.Count);
        Assert.All(_store.All<Observation>(), o => Assert.Equal(ObservationStatus.EnteredInError, o.Status));
    }

    [Fact]
    public async Task Entered_in_error_response_retracts_its_observations()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _store.Commit(await WriteAsync(WriteOperation.Create, response, previous: null));

        var retracted = (QuestionnaireResponse)response.DeepCopy();
        retracted.Status = QuestionnaireResponse.QuestionnaireResponseStatus.EnteredInError;
        _store.Commit(await WriteAsync(WriteOperation.Update, retracted, previous: response));

        Assert.Equal(4, _store.All<Observation>().Count());
        Assert.All(_store.All<Observation>(), o => Assert.Equal(ObservationStatus.EnteredInError, o.Status));
    }

    [Fact]
    public async Task Completed_response_reopened_as_in_progress_withdraws_its_observations()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _store.Commit(await WriteAsync(WriteOperation.Create, response, previous: null));

        var reopened = (QuestionnaireResponse)response.DeepCopy();
        reopened.Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress;
        _store.Commit(await WriteAsync(WriteOperation.Update, reopened, previous: response));

        Assert.All(_store.All<Observation>(), o => Assert.Equal(ObservationStatus.EnteredInError, o.Status));
    }

    [Fact]
    public async Task Saving_an_unchanged_response_rewrites_no_observation()
    {
        var response = Responses.Choices(_wai, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        _store.Commit(await WriteAsync(WriteOperation.Create, response, previous: null));

        var again = (QuestionnaireResponse)response.DeepCopy();
        var context = await WriteAsync(WriteOperation.Update, again, previous: response);

        Assert.Empty(context.DependentWrites);
    }

    [Fact]
    public async Task Device_author_is_not_a_performer_and_missing_encounter_stays_missing()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Author = new ResourceReference("Device/tablet-3");
        response.Encounter = null;

        var context = await WriteAsync(WriteOperation.Create, response, previous: null);

        Assert.All(context.DependentWrites.Cast<Observation>(), o =>
        {
            Assert.Empty(o.Performer);
            Assert.Null(o.Encounter);
        });
    }

    [Fact]
    public async Task In_progress_response_is_stored_without_scores_or_observations()
    {
        var response = Responses.New(_wai);
        response.Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress;
        response.Item.Add(Responses.Answer("1", (Coding)_wai.Item[0].AnswerOption[0].Value.DeepCopy()));

        var context = await WriteAsync(WriteOperation.Create, response, previous: null);

        Assert.Empty(context.DependentWrites);
        Assert.Null(Responses.AnswerOf(response, "total"));
    }

    private async Task<ResourceWriteContext> WriteAsync(WriteOperation operation, QuestionnaireResponse response, QuestionnaireResponse? previous)
    {
        var context = new ResourceWriteContext(operation, "QuestionnaireResponse", response.Id!, response, previous, _store);
        await _hook.OnWriteAsync(context, CancellationToken.None);
        return context;
    }

    private static Observation Observation(IEnumerable<Resource> resources, string code) =>
        resources.OfType<Observation>().Single(o => o.Code!.Coding.Any(c => c.System == Score && c.Code == code) && o.Status != ObservationStatus.EnteredInError);
}
