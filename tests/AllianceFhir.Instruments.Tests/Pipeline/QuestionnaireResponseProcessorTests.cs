using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Catalog;
using AllianceFhir.Instruments.Pipeline;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Instruments.Tests.Pipeline;

public class QuestionnaireResponseProcessorTests
{
    private readonly QuestionnaireResponseProcessor _processor = new(new ScoringEngine());
    private readonly Questionnaire _srs = Responses.Instrument("srs");
    private readonly InMemoryReader _store;

    public QuestionnaireResponseProcessorTests() => _store = new InMemoryReader(_srs);

    [Fact]
    public async Task Validate_returns_errors_in_the_outcome_and_changes_nothing()
    {
        var response = Responses.Decimals(_srs, 1m, 2m, 3m, 11m);
        var before = FhirJsonSerializer.Default.SerializeToString(response);

        var outcome = await _processor.ValidateAsync(response, _store, CancellationToken.None);

        Assert.True(outcome.HasErrors());
        Assert.Equal(before, FhirJsonSerializer.Default.SerializeToString(response));
    }

    [Fact]
    public async Task Validate_reports_success_as_information()
    {
        var outcome = await _processor.ValidateAsync(Responses.Decimals(_srs, 1m, 2m, 3m, 4m), _store, CancellationToken.None);
        Assert.Equal(OperationOutcome.IssueSeverity.Information, Assert.Single(outcome.Issue).Severity);
    }

    [Fact]
    public async Task Validate_reports_an_unknown_questionnaire()
    {
        var response = Responses.Decimals(_srs, 1m, 2m, 3m, 4m);
        response.Questionnaire = "http://example.org/Questionnaire/nope";
        Assert.True((await _processor.ValidateAsync(response, _store, CancellationToken.None)).HasErrors());
    }

    [Fact]
    public async Task Extract_returns_a_transaction_of_observations_without_touching_the_input()
    {
        var response = Responses.Decimals(_srs, 9m, 9m, 9m, 8.9m);

        var bundle = await _processor.ExtractAsync(response, _store, CancellationToken.None);

        Assert.Equal(Bundle.BundleType.Transaction, bundle.Type);
        Assert.Equal(5, bundle.Entry.Count); // the total and the four line scores
        var entry = bundle.Entry.Single(e => ((Observation)e.Resource!).Code!.Coding[0].Code == "srs-total");
        Assert.Equal(Bundle.HTTPVerb.POST, entry.Request!.Method);
        Assert.Equal("Observation", entry.Request.Url);
        Assert.StartsWith("urn:uuid:", entry.FullUrl, StringComparison.Ordinal);
        var observation = (Observation)entry.Resource!;
        Assert.Equal(35.9m, ((Quantity)observation.Value!).Value);
        Assert.Equal("QuestionnaireResponse/qr1", observation.DerivedFrom.Single().Reference);
        Assert.Null(Responses.AnswerOf(response, "total"));
    }

    [Fact]
    public async Task Extract_of_an_invalid_response_is_422()
    {
        var ex = await Assert.ThrowsAsync<FhirOperationException>(() => _processor.ExtractAsync(Responses.Decimals(_srs, 1m, 2m, 3m), _store, CancellationToken.None));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, ex.Status);
    }

    [Fact]
    public async Task Required_calculated_item_is_filled_by_the_server_not_demanded_from_the_client()
    {
        var questionnaire = (Questionnaire)_srs.DeepCopy();
        questionnaire.Item.Single(i => i.LinkId == "total").Required = true;
        var store = new InMemoryReader(questionnaire);
        var response = Responses.Decimals(questionnaire, 1m, 2m, 3m, 4m);

        var observations = await _processor.ProcessAsync(response, "QuestionnaireResponse/qr1", store, CancellationToken.None);

        Assert.Equal(10m, ((FhirDecimal)Responses.AnswerOf(response, "total")!).Value);
        Assert.Single(observations, o => o.Code!.Coding[0].Code == "srs-total");
    }

    [Fact]
    public void Populate_builds_an_in_progress_skeleton_for_the_subject()
    {
        var response = QuestionnaireResponseProcessor.Populate(_srs, new ResourceReference("Patient/p9"));

        Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.InProgress, response.Status);
        Assert.Equal("http://alliancefhir.org/fhir/Questionnaire/srs|1.0.0", response.Questionnaire);
        Assert.Equal("Patient/p9", response.Subject!.Reference);
        Assert.Equal(["1", "2", "3", "4", "total"], response.Item.Select(i => i.LinkId));
        Assert.All(response.Item, i => Assert.Empty(i.Answer));
        Assert.Empty(Support.Validation.ValidationIssues(_srs, response));
    }

    [Fact]
    public void Populate_fills_initial_values_and_initially_selected_options()
    {
        var questionnaire = (Questionnaire)Responses.Instrument("trc-5").DeepCopy();
        questionnaire.Item[0].AnswerOption[2].InitialSelected = true;
        var srs = (Questionnaire)_srs.DeepCopy();
        srs.Item[0].Initial.Add(new Questionnaire.InitialComponent { Value = new FhirDecimal(5m) });

        var trcResponse = QuestionnaireResponseProcessor.Populate(questionnaire, new ResourceReference("Patient/p9"));
        var srsResponse = QuestionnaireResponseProcessor.Populate(srs, new ResourceReference("Patient/p9"));

        Assert.Equal("somewhat", ((Coding)Responses.AnswerOf(trcResponse, "1")!).Code);
        Assert.Null(Responses.AnswerOf(trcResponse, "2"));
        Assert.Equal(5m, ((FhirDecimal)Responses.AnswerOf(srsResponse, "1")!).Value);
    }

    [Fact]
    public void Add_alliance_instruments_registers_the_hooks_and_their_dependencies()
    {
        using var provider = new ServiceCollection().AddAllianceInstruments().BuildServiceProvider();

        var hooks = provider.GetServices<IResourceWriteHook>().ToList();
        Assert.Equal(["CodeSystem", "Questionnaire", "Questionnaire", "QuestionnaireResponse"], hooks.Select(h => h.ResourceType).Order());

        // The catalog guard runs before the definition check, so a write to a shipped Questionnaire is refused as such.
        Assert.IsType<QuestionnaireCatalogGuard>(hooks.First(h => h.ResourceType == "Questionnaire"));
        // Four validated instruments; the demonstration TRC-5 only with Instruments:Demo.
        Assert.Equal(4, provider.GetRequiredService<InstrumentCatalog>().GetQuestionnaires().Count);
        using var demo = new ServiceCollection().AddAllianceInstruments(o => o.Demo = true).BuildServiceProvider();
        Assert.Equal(5, demo.GetRequiredService<InstrumentCatalog>().GetQuestionnaires().Count);
        Assert.Same(provider.GetRequiredService<ScoringEngine>(), provider.GetRequiredService<ScoringEngine>());
    }
}
