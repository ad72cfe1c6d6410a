namespace AllianceFhir.Core.References;

/// <summary>What a delete of a resource that other live resources refer to does (setting <c>Fhir:ReferentialIntegrityOnDelete</c>).</summary>
public enum ReferentialIntegrityOnDelete
{
    /// <summary>Refused with 409 Conflict, listing the referring resources (the default, as HAPI FHIR does).</summary>
    Enforce,

    /// <summary>Allowed; the referring resources keep a reference to a deleted resource.</summary>
    Off,
}
