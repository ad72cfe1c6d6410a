using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Audit;

/// <summary>
/// How a search's query is kept in an AuditEvent. Its values may be identifiers, names or birth dates
/// (<c>identifier=MRN</c>, <c>name=Smith</c>), which the audit must never hold, so only the parameter names (with their
/// modifiers) are kept, in order, and the values only of the parameters that shape the result
/// (<see cref="ResultParameters"/>: <c>_count</c>, <c>_sort</c>, …), which say nothing about a person. The patient a
/// search is about is recorded apart, as a reference (see <see cref="PatientOf"/>).
/// </summary>
public static class AuditQuery
{
    public static string? Describe(string resourceTypeOrPath, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        if (parameters.Count == 0)
        {
            return null;
        }

        var kept = parameters.Select(p => ResultParameters.Contains(p.Key) ? $"{p.Key}={p.Value}" : p.Key);
        return $"{resourceTypeOrPath}?{string.Join('&', kept)}";
    }

    /// <summary>The patient a search names by reference: <c>patient=</c>, or <c>subject=Patient/…</c>, without modifiers.</summary>
    public static IEnumerable<string> PatientOf(string? resourceType, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var reference = name switch
            {
                "patient" => AuditSubject.PatientReference(value.Contains('/', StringComparison.Ordinal) ? value : $"Patient/{value}"),
                "subject" => AuditSubject.PatientReference(value),
                "_id" when resourceType == "Patient" => AuditSubject.PatientReference($"Patient/{value}"),
                _ => null,
            };
            if (reference is not null)
            {
                yield return reference;
            }
        }
    }
}
