namespace AllianceFhir.Core.Security;

/// <summary>
/// The permission each FHIR operation needs, and on which type. An operation not listed here is refused for every
/// token: adding an operation means deciding here what it needs.
/// </summary>
public static class OperationPermissions
{
    /// <summary>One operation at one level: <paramref name="Instance"/> is <c>[type]/[id]/$name</c>, otherwise <c>[type]/$name</c>.</summary>
    public sealed record Rule(string ResourceType, string Name, bool Instance, string NeedsType, Permissions Needs, string Why);

    public static readonly IReadOnlyList<Rule> All =
    [
        // Checks a response the client holds against its Questionnaire: the question "would this create be accepted".
        new("QuestionnaireResponse", "validate", Instance: false, "QuestionnaireResponse", Permissions.Create,
            "checks a response before it is submitted; stores nothing"),

        // Scores a response the client holds; reveals nothing stored, so it is asked of those who may submit one.
        new("QuestionnaireResponse", "extract", Instance: false, "QuestionnaireResponse", Permissions.Create,
            "derives the Observations a submitted response would produce; stores nothing"),

        // Reads a stored response and says whether it (or the proposed new version in the body) fits its Questionnaire.
        new("QuestionnaireResponse", "validate", Instance: true, "QuestionnaireResponse", Permissions.Read,
            "checks a stored response, or a proposed new version of it; stores nothing"),

        // Reads a stored response and reveals what it scored.
        new("QuestionnaireResponse", "extract", Instance: true, "QuestionnaireResponse", Permissions.Read,
            "derives the Observations of a stored response; stores nothing"),

        // Reads the Questionnaire (the shared catalog) and fills in the subject reference the client gave; the subject
        // must be one the caller may read (PopulateOperation), so that the answer tells nothing about other ids.
        new("Questionnaire", "populate", Instance: true, "Questionnaire", Permissions.Read,
            "builds an empty response from the Questionnaire; reads no patient data"),

        // The same, with the Questionnaire named by a parameter (canonical, identifier or inline) instead of the URL.
        new("Questionnaire", "populate", Instance: false, "Questionnaire", Permissions.Read,
            "builds an empty response from the Questionnaire a parameter names; reads no patient data"),
    ];

    public static Rule? Find(string resourceType, string name, bool instance) =>
        All.FirstOrDefault(r => r.ResourceType == resourceType && r.Name == name.TrimStart('$') && r.Instance == instance);
}
