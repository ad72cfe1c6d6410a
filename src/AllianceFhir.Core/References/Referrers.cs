using Hl7.Fhir.Model;

namespace AllianceFhir.Core.References;

/// <summary>Which referring resources keep a resource from being deleted (see <see cref="ReferentialIntegrityOnDelete"/>).</summary>
public static class Referrers
{
    /// <summary>
    /// Every type but AuditEvent: an audit record refers to what it records, and keeps that reference as history of
    /// something that happened, so a patient with an audit trail (every patient) can still be deleted.
    /// </summary>
    public static bool Counts(string resourceType) => resourceType != nameof(AuditEvent);
}
