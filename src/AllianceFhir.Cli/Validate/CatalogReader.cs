using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Catalog;
using Hl7.Fhir.Model;

namespace AllianceFhir.Cli.Validate;

/// <summary>
/// The shipped instrument catalog as the server's pipeline reads it, without a server: Questionnaires and CodeSystems
/// by id, and the searches instrument resolution makes (<c>url</c>, <c>version</c>, <c>status</c>). A clinic's own
/// Questionnaires live only on its server, so offline they are unknown.
/// </summary>
public sealed class CatalogReader(InstrumentCatalog catalog) : IResourceReader
{
    private readonly IReadOnlyList<Resource> _resources = catalog.GetAllResources();

    public Task<Resource?> ReadAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        Task.FromResult(_resources.FirstOrDefault(r => r.TypeName == resourceType && r.Id == id));

    public Task<IReadOnlyList<Resource>> SearchAsync(string resourceType, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        IReadOnlyList<Resource> found = [.. _resources.Where(r => r.TypeName == resourceType && parameters.All(p => Matches(r, p.Key, p.Value)))];
        return Task.FromResult(found);
    }

    private static bool Matches(Resource resource, string parameter, string value) => (parameter, resource) switch
    {
        ("url", IVersionableConformanceResource c) => c.Url == value,
        ("version", IVersionableConformanceResource c) => c.Version == value,
        ("status", Questionnaire q) => string.Equals(q.Status?.ToString(), value, StringComparison.OrdinalIgnoreCase),
        ("status", CodeSystem cs) => string.Equals(cs.Status?.ToString(), value, StringComparison.OrdinalIgnoreCase),
        // Resolution searches only by these; anything else matches nothing rather than everything.
        _ => false,
    };
}
