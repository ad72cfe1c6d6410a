using AllianceFhir.Core.Security;

namespace AllianceFhir.Core.Audit;

/// <summary>What the host knows of an audited request when it starts.</summary>
/// <param name="Caller">Read when the event is built: the caller is only known once the token has been checked.</param>
public sealed record AuditRequest(
    FhirInteraction? Interaction,
    string? Operation,
    string? ResourceType,
    string? Id,
    int? VersionId,
    IReadOnlyList<KeyValuePair<string, string>> Parameters,
    string? SourceAddress,
    Func<AccessContext?> Caller);

/// <summary>
/// The audit of one request (a scoped service): the host begins it, the store decorator
/// (<see cref="AuditingResourceStore"/>) puts an AuditEvent into each commit the request makes and notes the patients
/// of the resources it reads, and the host records the request's own event afterwards when no commit carried one.
/// </summary>
public sealed class AuditScope
{
    private readonly List<string> _patients = [];

    public AuditRequest? Request { get; private set; }

    /// <summary><c>transaction</c> or <c>batch</c>, once a Bundle's type is known.</summary>
    public string? BundleKind { get; set; }

    /// <summary>How many commits of this request carried their AuditEvent.</summary>
    public int CommittedEvents { get; private set; }

    public void Begin(AuditRequest request) => Request = request;

    internal void NotePatient(string? patient)
    {
        if (patient is not null && !_patients.Contains(patient))
        {
            _patients.Add(patient);
        }
    }

    internal void NoteCommitted() => CommittedEvents++;

    /// <summary>The record of this request, with what the store saw added to what its URL says.</summary>
    public AuditRecord ToRecord(DateTimeOffset recorded, int status, IReadOnlyList<string>? entities = null, IEnumerable<string>? patients = null)
    {
        var request = Request ?? throw new InvalidOperationException("The audit scope was not begun");
        var query = AuditQuery.Describe(request.ResourceType ?? string.Empty, request.Parameters);
        return new AuditRecord(
            request.Interaction,
            BundleKind,
            request.Operation,
            recorded,
            status,
            request.Caller(),
            request.SourceAddress,
            entities ?? UrlEntities(request),
            query,
            [.. _patients, .. AuditQuery.PatientOf(request.ResourceType, request.Parameters), .. patients ?? []]);
    }

    /// <summary>
    /// The resource the URL names. An id that is not a FHIR id names no resource (the request was refused for it) and is
    /// left out: it would not fit the reference index, and it is the client's text, not a reference.
    /// </summary>
    private static IReadOnlyList<string> UrlEntities(AuditRequest request) => (request.ResourceType, Resources.FhirId.IsValid(request.Id) ? request.Id : null, request.VersionId) switch
    {
        ({ } type, { } id, { } version) => [$"{type}/{id}/_history/{version}"],
        ({ } type, { } id, null) => [$"{type}/{id}"],
        _ => [],
    };
}
