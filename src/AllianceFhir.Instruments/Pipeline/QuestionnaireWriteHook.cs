using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Validation;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Instruments.Pipeline;

/// <summary>
/// Rejects Questionnaire definitions (422) that the response pipeline could not work with: broken structure,
/// enableWhen pointing nowhere or inward, FHIRPath that does not compile, malformed cut-off bands.
/// </summary>
public sealed class QuestionnaireWriteHook(QuestionnaireDefinitionValidator validator) : IResourceWriteHook
{
    public string ResourceType => "Questionnaire";

    public Task OnWriteAsync(ResourceWriteContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Resource is Questionnaire questionnaire)
        {
            var outcome = validator.Validate(questionnaire);
            if (outcome.HasErrors())
            {
                throw FhirOperationException.Unprocessable(outcome);
            }
        }

        return Task.CompletedTask;
    }
}
