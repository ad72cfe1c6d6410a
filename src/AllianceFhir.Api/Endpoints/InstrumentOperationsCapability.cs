using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Endpoints;

/// <summary>Lists the questionnaire operations on their resource types in the CapabilityStatement.</summary>
public sealed class InstrumentOperationsCapability : ICapabilityContributor
{
    public void Contribute(CapabilityStatement.ResourceComponent resource)
    {
        switch (resource.Type)
        {
            case nameof(QuestionnaireResponse):
                Add(resource, "validate", "http://hl7.org/fhir/OperationDefinition/Resource-validate");
                Add(resource, "extract", "http://hl7.org/fhir/uv/sdc/OperationDefinition/QuestionnaireResponse-extract");
                break;
            case nameof(Questionnaire):
                Add(resource, "populate", "http://hl7.org/fhir/uv/sdc/OperationDefinition/Questionnaire-populate");
                break;
        }
    }

    private static void Add(CapabilityStatement.ResourceComponent resource, string name, string definition) =>
        resource.Operation.Add(new CapabilityStatement.OperationComponent { Name = name, Definition = definition });
}
