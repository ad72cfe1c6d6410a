using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Resources;

/// <summary>
/// The resource types this server stores and serves. Everything type-specific (routes, the CapabilityStatement,
/// Swagger paths, search parameters) is generated from this one list.
/// </summary>
public static class SupportedResourceTypes
{
    public static readonly IReadOnlyList<string> All =
    [
        nameof(Patient),
        nameof(Practitioner),
        nameof(PractitionerRole),
        nameof(Organization),
        nameof(Encounter),
        nameof(Questionnaire),
        nameof(QuestionnaireResponse),
        nameof(Observation),
        nameof(CodeSystem),
        nameof(ValueSet),
        nameof(Subscription),
        nameof(Group),
        nameof(Flag),
        nameof(EpisodeOfCare),

        // Written only by the server (Core/Audit); searchable and readable, never changed through the API.
        nameof(AuditEvent),
    ];

    private static readonly HashSet<string> Lookup = new(All, StringComparer.Ordinal);

    public static bool IsSupported(string resourceType) => Lookup.Contains(resourceType);
}
