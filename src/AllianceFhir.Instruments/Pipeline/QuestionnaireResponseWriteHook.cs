using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Instruments.Extraction;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Instruments.Pipeline;

/// <summary>
/// The QuestionnaireResponse write hook: rejects responses that do not fit their Questionnaire (422), stores the
/// server-computed scores in the response, and keeps its Observations in step in the same transaction — created on
/// first completion, updated in place on change (matched by code, never duplicated, status amended), and marked
/// <c>entered-in-error</c> when the response is deleted or itself marked entered-in-error. The monitoring rules then run
/// over those Observations as over any score written in this write (<see cref="MonitoringWriteSetHook"/>).
/// </summary>
public sealed class QuestionnaireResponseWriteHook(QuestionnaireResponseProcessor processor) : IResourceWriteHook
{
    public string ResourceType => "QuestionnaireResponse";

    public async Task OnWriteAsync(ResourceWriteContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reference = $"QuestionnaireResponse/{context.Id}";
        if (context.Operation == WriteOperation.Delete || context.Resource is not QuestionnaireResponse response
            || response.Status == QuestionnaireResponse.QuestionnaireResponseStatus.EnteredInError)
        {
            await RetractAsync(context, reference, cancellationToken);
            return;
        }

        var derived = await processor.ProcessAsync(response, reference, context.Reader, cancellationToken);

        // A brand-new response has no Observations yet; skip the search on the hot create path.
        var existing = context.Previous is null && context.Operation == WriteOperation.Create
            ? []
            : await ExistingAsync(context, reference, cancellationToken);
        var unmatched = existing.ToList();
        foreach (var observation in derived)
        {
            var key = ObservationExtractor.CodeKey(observation);
            var match = unmatched.FirstOrDefault(o => ObservationExtractor.CodeKey(o) == key);
            if (match is null)
            {
                // The id now, so that Flags derived in this same write can point at the score.
                observation.Id = FhirId.New();
                context.AddDependentCreate(observation);
                continue;
            }

            unmatched.Remove(match);
            observation.Id = match.Id;
            if (!SameContent(observation, match))
            {
                // SDC: an updated Observation keeps its id and says it was amended.
                observation.Status = ObservationStatus.Amended;
                context.AddDependentWrite(observation);
            }
        }

        // Scores the new version no longer yields (e.g. the response went back to in-progress) are withdrawn.
        foreach (var stale in unmatched)
        {
            MarkEnteredInError(context, stale);
        }
    }

    private static async Task RetractAsync(ResourceWriteContext context, string reference, CancellationToken cancellationToken)
    {
        foreach (var observation in await ExistingAsync(context, reference, cancellationToken))
        {
            MarkEnteredInError(context, observation);
        }
    }

    private static async Task<IReadOnlyList<Observation>> ExistingAsync(ResourceWriteContext context, string reference, CancellationToken cancellationToken)
    {
        var found = await context.Reader.SearchAsync("Observation", [new("derived-from", reference)], cancellationToken);
        return found.OfType<Observation>().Where(o => o.Status != ObservationStatus.EnteredInError).ToList();
    }

    private static void MarkEnteredInError(ResourceWriteContext context, Observation observation)
    {
        var retracted = (Observation)observation.DeepCopy();
        retracted.Status = ObservationStatus.EnteredInError;
        context.AddDependentWrite(retracted);
    }

    /// <summary>Unchanged scores are not rewritten, so re-saving a response does not churn Observation history.</summary>
    private static bool SameContent(Observation derived, Observation stored)
    {
        var a = (Observation)derived.DeepCopy();
        var b = (Observation)stored.DeepCopy();
        a.Meta = null;
        b.Meta = null;
        b.Status = a.Status;
        return a.IsExactly(b);
    }
}
