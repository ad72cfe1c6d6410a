namespace AllianceFhir.Core.Security;

/// <summary>
/// The permission each FHIR operation needs, and on which type. An operation not listed here is refused for every
/// token: adding an operation means deciding here what it needs.
/// </summary>
public static class OperationPermissions
{
    /// <summary>One operation at one level: <paramref name="Instance"/> is <c>[type]/[id]/$name</c>, otherwise <c>[type]/$name</c>.</summary>
    /// <param name="AlsoNeedsTypes">Further types the operation writes, needing <paramref name="Needs"/> on each too.</param>
    public sealed record Rule(string ResourceType, string Name, bool Instance, string NeedsType, Permissions Needs, string Why, IReadOnlyList<string>? AlsoNeedsTypes = null)
    {
        public IReadOnlyList<string> AllTypes => [NeedsType, .. AlsoNeedsTypes ?? []];
    }

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

        // The backport IG's status of one subscription: what reading it tells, plus its event count.
        new("Subscription", "status", Instance: true, "Subscription", Permissions.Read,
            "reads a subscription's status and how many events it has been sent"),
        // Hands whoever holds the link the right to submit one response for the patient: the caller must be able to create
        // responses, and to read the patient (and encounter) it names (CreateLinkOperation), as for $populate.
        new("Questionnaire", "create-link", Instance: true, "QuestionnaireResponse", Permissions.Create,
            "creates a single-use link through which one response for the named patient can be submitted"),
        // R4 $lastn is a search of Observations grouped by code: what a search needs, no more.
        new("Observation", "lastn", Instance: false, "Observation", Permissions.Search,
            "the most recent Observations per code for a patient; a search"),

        // Reads the patient (refused as a read would be) and, through searches bounded by the caller, its scores and Flags.
        new("Patient", "alliance-summary", Instance: true, "Patient", Permissions.Read,
            "the patient's score series and open Flags; reads only what the caller's searches may", AlsoNeedsTypes: ["Observation", "Flag"]),

        // Each row is a transaction of two conditional creates (the patient by identifier, the response by row identity):
        // a conditional create is a create and a search (InteractionPermissions), on both types.
        new("QuestionnaireResponse", "import-spreadsheet", Instance: false, "QuestionnaireResponse", Permissions.Create | Permissions.Search,
            "creates responses, and the patients they name, from a clinic's sheet", AlsoNeedsTypes: ["Patient"]),

        // Bulk Data export of every patient's compartment: the exported types are named by _type, so the operation
        // asks Export.ExportAccess for r and s on each before it records the job.
        new("Patient", "export", Instance: false, "Patient", Permissions.None,
            "exports the Patient compartment of every patient; each exported type needs r and s, checked before the job is recorded"),

        // The same for a Group's members: reading the Group's member list needs read on it.
        new("Group", "export", Instance: true, "Group", Permissions.Read,
            "exports the Patient compartment of the group's members; each exported type needs r and s, checked before the job is recorded"),
    ];

    /// <summary>
    /// A system-level operation URL: <paramref name="Name"/> at the base, with <paramref name="Segments"/> path segments
    /// in all (the status URLs carry the job id). The types it writes are named by the request, so the operation itself
    /// asks <see cref="Import.ImportAccess"/> for each before it records anything.
    /// </summary>
    /// <param name="Part">For a four-segment URL: its third segment (<c>errors</c>, <c>files</c>).</param>
    public sealed record SystemRule(string Name, string Method, int Segments, Permissions Needs, string Why, string? Part = null);

    public static readonly IReadOnlyList<SystemRule> System =
    [
        // Bulk Data style import: every imported line is an upsert, so each imported type needs c and u (system/ or user/).
        new("import", "POST", 1, Import.ImportAccess.Needs,
            "writes the resources of NDJSON inputs; each type needs c and u from system/ or user/ scopes, checked before the job is recorded and again per line"),

        // The job's status and result: only for the tenant and requester that started it (anyone else gets 404).
        new("import-poll-status", "GET", 2, Permissions.None, "reads the status of the caller's own import job"),

        // Cancels the caller's own job; what was committed stays.
        new("import-poll-status", "DELETE", 2, Permissions.None, "cancels the caller's own import job"),

        // The NDJSON of refused lines of one input of the caller's own job.
        new("import-poll-status", "GET", 4, Permissions.None, "reads the refused lines of the caller's own import job", Part: "errors"),

        // Bulk Data export: each exported type needs r and s (system/, user/, or patient/ for the token's own compartment),
        // checked before the job is recorded; the job reads with the caller's restrictions.
        new("export", "GET", 1, Export.ExportAccess.Needs,
            "exports the resources of the requested types; each type needs r and s, checked before the job is recorded"),

        // Status, cancel and files: only for the tenant and requester that started the job (anyone else gets 404).
        new("export-poll-status", "GET", 2, Permissions.None, "reads the status of the caller's own export job"),
        new("export-poll-status", "DELETE", 2, Permissions.None, "cancels the caller's own export job and deletes its files"),
        new("export-poll-status", "GET", 4, Permissions.None, "downloads a file of the caller's own export job", Part: "files"),
    ];

    public static SystemRule? FindSystem(string method, IReadOnlyList<string> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var name = segments.Count > 0 ? segments[0].TrimStart('$') : string.Empty;
        var effective = method == "HEAD" ? "GET" : method;
        return System.FirstOrDefault(r => r.Name == name && r.Method == effective && r.Segments == segments.Count
            && (r.Part is null || segments[2] == r.Part));
    }

    public static Rule? Find(string resourceType, string name, bool instance) =>
        All.FirstOrDefault(r => r.ResourceType == resourceType && r.Name == name.TrimStart('$') && r.Instance == instance);
}
