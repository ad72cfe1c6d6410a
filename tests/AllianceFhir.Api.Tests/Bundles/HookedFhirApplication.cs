using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Api.Tests.Bundles;

/// <summary>The real application plus <see cref="EncounterLoggingHook"/>, a stand-in for hooks such as the instruments one.</summary>
public sealed class HookedFhirApplication : FhirApplication
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IResourceWriteHook, EncounterLoggingHook>());
    }
}

/// <summary>
/// Rejects an Encounter whose subject cannot be read (422) and derives an Observation recording it, the way the
/// instruments hook validates a response against its Questionnaire and derives score Observations.
/// </summary>
public sealed class EncounterLoggingHook : IResourceWriteHook
{
    public const string DerivedCode = "encounter-logged";

    public string ResourceType => nameof(Encounter);

    public async System.Threading.Tasks.Task OnWriteAsync(ResourceWriteContext context, CancellationToken cancellationToken)
    {
        if (context.Resource is not Encounter { Subject.Reference: { } subject })
        {
            return;
        }

        var parts = subject.Split('/');
        if (parts.Length != 2 || await context.Reader.ReadAsync(parts[0], parts[1], cancellationToken) is null)
        {
            throw FhirOperationException.Unprocessable(Outcomes.Create(
                OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.BusinessRule, $"The subject {subject} cannot be read", "Encounter.subject"));
        }

        context.AddDependentWrite(new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://example.org/fhir/CodeSystem/test", DerivedCode),
            Subject = new ResourceReference(subject),
            Encounter = new ResourceReference($"Encounter/{context.Id}"),
        });
    }
}
