using AllianceFhir.Api.Configuration;
using AllianceFhir.Core.References;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// Says in the CapabilityStatement how references behave: literal references are supported, and integrity is
/// <c>enforced</c> (R4: "ensures that references can always be resolved") only while deletes of referenced resources
/// are refused; with <c>Fhir:ReferentialIntegrityOnDelete=Off</c> a reference can come to dangle.
/// </summary>
public sealed class ReferencePolicyCapability(IOptions<FhirServerOptions> options) : ICapabilityContributor
{
    public void Contribute(CapabilityStatement.ResourceComponent resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        resource.ReferencePolicy = options.Value.ReferentialIntegrityOnDelete == ReferentialIntegrityOnDelete.Enforce
            ? [CapabilityStatement.ReferenceHandlingPolicy.Literal, CapabilityStatement.ReferenceHandlingPolicy.Enforced]
            : [CapabilityStatement.ReferenceHandlingPolicy.Literal];
    }
}
