using System.Collections.Frozen;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Security;

/// <summary>
/// The R4 Patient compartment for the types this server stores: a resource belongs to Patient/{id} when one of its
/// membership parameters refers to that patient (or it is that Patient). Membership is judged on the same index values
/// the search indexer stores, so a read, a write and a search agree on what "refers to the patient" means.
/// </summary>
/// <remarks>
/// The parameters are those of the R4 CompartmentDefinition for Patient
/// (https://hl7.org/fhir/R4/compartmentdefinition-patient.html). Of the supported types, Practitioner, PractitionerRole
/// and Organization are not members of any patient's compartment, and Questionnaire, CodeSystem and ValueSet are the
/// shared catalog (readable with any token, see <see cref="AccessPolicy.IsCatalog"/>).
/// </remarks>
public sealed class PatientCompartment(ISearchIndexer indexer)
{
    private static readonly FrozenDictionary<string, string[]> Parameters = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [nameof(Patient)] = ["link"],
        [nameof(Encounter)] = ["patient"],
        [nameof(Observation)] = ["subject", "performer"],
        [nameof(QuestionnaireResponse)] = ["subject", "author"],
        [nameof(Group)] = ["member"],
        [nameof(Flag)] = ["patient"],
        [nameof(EpisodeOfCare)] = ["patient"],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Whether resources of the type can be in a patient's compartment at all.</summary>
    public static bool Covers(string resourceType) => Parameters.ContainsKey(resourceType);

    /// <summary>The compartment's membership parameters of a type (empty when the type is not in the compartment).</summary>
    public static IReadOnlyList<string> ParametersOf(string resourceType) =>
        Parameters.TryGetValue(resourceType, out var names) ? names : [];

    /// <param name="serviceBase">This server's base: a membership reference that is an absolute URL under it counts as the relative one.</param>
    public bool Contains(Resource resource, string patientId, ServiceBase serviceBase)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource is Patient && resource.Id == patientId)
        {
            return true;
        }

        var names = ParametersOf(resource.TypeName);
        return names.Count > 0 && indexer.Extract(resource, serviceBase)
            .OfType<ReferenceIndexValue>()
            .Any(v => names.Contains(v.ParamName, StringComparer.Ordinal) && v.TargetType == nameof(Patient) && v.TargetId == patientId);
    }
}
