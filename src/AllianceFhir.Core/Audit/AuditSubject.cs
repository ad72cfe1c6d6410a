using System.Text.Json;

namespace AllianceFhir.Core.Audit;

/// <summary>
/// The patient a stored resource is about, as a reference: the Patient itself, or the Patient its <c>subject</c> or
/// <c>patient</c> element points at. Only the reference is read, never any other element of the resource.
/// </summary>
public static class AuditSubject
{
    public static string? PatientOf(string resourceType, string id, string? json)
    {
        if (resourceType == "Patient")
        {
            return $"Patient/{id}";
        }

        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        foreach (var name in (ReadOnlySpan<string>)["subject", "patient"])
        {
            if (document.RootElement.TryGetProperty(name, out var element)
                && element.ValueKind == JsonValueKind.Object
                && element.TryGetProperty("reference", out var reference)
                && reference.ValueKind == JsonValueKind.String
                && PatientReference(reference.GetString()) is { } patient)
            {
                return patient;
            }
        }

        return null;
    }

    /// <summary><c>Patient/[id]</c> when the value is a local Patient reference (relative, or a bare id), else null.</summary>
    public static string? PatientReference(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var parts = value.Split('/');
        return parts.Length == 2 && parts[0] == "Patient" && Resources.FhirId.IsValid(parts[1]) ? value : null;
    }
}
