namespace AllianceFhir.Core.Security;

/// <summary>Whose data a SMART scope is about: one patient's, what the signed-in user may see, or a backend system's.</summary>
public enum ScopeContext
{
    Patient,
    User,
    System,
}
