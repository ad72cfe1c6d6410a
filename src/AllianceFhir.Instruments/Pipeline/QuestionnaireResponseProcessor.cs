using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Extraction;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Resolution;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Validation;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.OperationOutcome;
using Status = Hl7.Fhir.Model.QuestionnaireResponse.QuestionnaireResponseStatus;

namespace AllianceFhir.Instruments.Pipeline;

/// <summary>
/// Resolve → validate → score → extract for one response: the logic behind the write hook and the
/// <c>$validate</c>, <c>$extract</c> and <c>$populate</c> operations the Api maps. Stateless apart from the shared
/// scoring engine; register as a singleton.
/// </summary>
public sealed class QuestionnaireResponseProcessor(ScoringEngine scoring)
{
    private readonly QuestionnairePins _pins = new();

    /// <summary>
    /// Validates, then (for completed/amended responses) writes the calculated scores into <paramref name="response"/>
    /// and returns the Observations to extract. Throws <see cref="FhirOperationException"/> (422) when invalid.
    /// </summary>
    public async Task<IReadOnlyList<Observation>> ProcessAsync(
        QuestionnaireResponse response,
        string? responseReference,
        IResourceReader reader,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Questionnaire is null)
        {
            // R4 allows a response without a questionnaire; there is nothing to check it against or score.
            return [];
        }

        var questionnaire = response.Questionnaire.StartsWith('#')
            ? response.Contained.OfType<Questionnaire>().FirstOrDefault(q => q.Id == response.Questionnaire[1..])
                ?? throw FhirOperationException.Unprocessable(Outcomes.Create(IssueSeverity.Error, IssueType.NotFound, $"No contained Questionnaire '{response.Questionnaire}'", "QuestionnaireResponse.questionnaire"))
            : await QuestionnaireResolver.ResolveAsync(response.Questionnaire, reader, cancellationToken, _pins);
        var scored = IsFinal(response);
        if (scored)
        {
            // Clients never supply scores: drop what they sent before checking, the server computes them below.
            ClearCalculatedAnswers(questionnaire, response);
        }

        var outcome = QuestionnaireResponseValidator.Validate(questionnaire, response, scoring);
        if (outcome.HasErrors())
        {
            throw FhirOperationException.Unprocessable(outcome);
        }

        if (!scored)
        {
            return [];
        }

        try
        {
            scoring.Score(questionnaire, response);
        }
        catch (ScoringException ex)
        {
            throw FhirOperationException.Unprocessable(Outcomes.Create(IssueSeverity.Error, IssueType.Processing, ex.Message, "QuestionnaireResponse"));
        }

        var age = ScoreBands.DependOnAge(questionnaire) ? await SubjectAgeAsync(response, reader, cancellationToken) : null;
        return ObservationExtractor.Extract(questionnaire, response, responseReference, age);
    }

    /// <summary>
    /// The subject's age on the authored date, for cut-offs that depend on age: read through the same reader (so inside
    /// the same write, a transaction's own Patient entry included) as the Questionnaire.
    /// </summary>
    private static async Task<SubjectAge> SubjectAgeAsync(QuestionnaireResponse response, IResourceReader reader, CancellationToken cancellationToken)
    {
        if (PatientId(response.Subject?.Reference) is not { } id)
        {
            return SubjectAge.NotKnown("the response's subject is not a Patient");
        }

        if (await reader.ReadAsync("Patient", id, cancellationToken) is not Patient patient)
        {
            return SubjectAge.NotKnown("the Patient was not found");
        }

        return SubjectAge.At(patient.BirthDate, response.AuthoredElement?.Value);
    }

    private static string? PatientId(string? reference)
    {
        const string prefix = "Patient/";
        if (reference is null || !reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var id = reference[prefix.Length..];
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? id : id[..slash];
    }

    /// <summary><c>$validate</c>: the outcome for a response, errors included rather than thrown. Changes nothing.</summary>
    public async Task<OperationOutcome> ValidateAsync(QuestionnaireResponse response, IResourceReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            await ProcessAsync((QuestionnaireResponse)response.DeepCopy(), null, reader, cancellationToken);
        }
        catch (FhirOperationException ex) when (ex.Status == System.Net.HttpStatusCode.UnprocessableEntity)
        {
            return ex.Outcome;
        }

        return Outcomes.Information(response.Questionnaire is null
            ? "The response names no questionnaire; its answers were not checked"
            : "The response is valid for its questionnaire");
    }

    /// <summary><c>$extract</c>: a transaction Bundle that would create the response's Observations. Stores nothing.</summary>
    public async Task<Bundle> ExtractAsync(QuestionnaireResponse response, IResourceReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var copy = (QuestionnaireResponse)response.DeepCopy();
        var reference = copy.Id is null ? null : $"QuestionnaireResponse/{copy.Id}";
        var observations = await ProcessAsync(copy, reference, reader, cancellationToken);
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

    /// <summary><c>$populate</c>: an in-progress response skeleton for the subject.</summary>
    public static QuestionnaireResponse Populate(Questionnaire questionnaire, ResourceReference subject, ResourceReference? encounter = null) =>
        ResponsePopulator.Populate(questionnaire, subject, encounter);

    private static bool IsFinal(QuestionnaireResponse response) => response.Status is Status.Completed or Status.Amended;

    private static void ClearCalculatedAnswers(Questionnaire questionnaire, QuestionnaireResponse response)
    {
        var calculated = ItemTree.Flatten(questionnaire.Item)
            .Where(i => ScoringEngine.CalculatedExpressionOf(i) is not null && i.LinkId is not null)
            .Select(i => i.LinkId)
            .ToHashSet(StringComparer.Ordinal);
        if (calculated.Count == 0)
        {
            return;
        }

        foreach (var item in ItemTree.Flatten(response.Item).Where(i => calculated.Contains(i.LinkId)))
        {
            item.Answer.Clear();
        }
    }
}
