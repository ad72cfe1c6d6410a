using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>
/// Every FHIR search of a request goes through here: a type-level or whole-system search from the REST endpoints, a
/// batch's GET entry, the lookups of conditional interactions and of write hooks. Parses the parameters once (the
/// store gets the parsed search, never the raw text), asks <see cref="AccessPolicy"/> which types the search may reach
/// and what it may return, runs the page on the store, and builds the searchset Bundle with its paging links.
/// </summary>
public sealed class SearchService(IResourceStore store, SearchParameterRegistry registry, AccessPolicy policy, ServiceBase serviceBase)
{
    private readonly SearchQueryParser _parser = new(registry, serviceBase);

    /// <summary>Parses a type-level search without running it: what the pending-aware matching of a transaction needs.</summary>
    public SearchQuery Parse(string resourceType, IEnumerable<KeyValuePair<string, string>> parameters) =>
        _parser.Parse(resourceType, parameters);

    /// <summary>
    /// <c>GET [type]?…</c>, <c>POST [type]/_search</c> and a batch's GET entry. Unsupported parameters are reported in an
    /// outcome entry, or refused (400) under <see cref="SearchCall.Strict"/>; malformed values are a 400 either way.
    /// </summary>
    public Task<Searchset> SearchTypeAsync(
        string resourceType,
        IEnumerable<KeyValuePair<string, string>> parameters,
        SearchCall call,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var list = parameters.ToList();
        SearchQueryParser.CheckCharacters(list);
        var cursor = SearchBundleFactory.TakeCursor(list);
        var query = _parser.Parse(resourceType, list);
        return RunAsync(new SearchRequest(query, [resourceType], cursor), $"{call.BaseUrl}/{resourceType}", list, call, cancellationToken);
    }

    /// <summary>
    /// <c>GET [base]?_type=A,B&amp;…</c>: the common parameters over several types (all stored types when <c>_type</c> is
    /// absent). Parameters that mean something per type only are reported as not applied.
    /// </summary>
    public Task<Searchset> SearchSystemAsync(
        IEnumerable<KeyValuePair<string, string>> parameters,
        SearchCall call,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var list = parameters.ToList();
        SearchQueryParser.CheckCharacters(list);
        var cursor = SearchBundleFactory.TakeCursor(list);
        var typeParameters = list.Where(p => p.Key == "_type").ToList();
        list.RemoveAll(p => p.Key == "_type");
        var types = typeParameters
            .SelectMany(p => p.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var unknown in types.Where(t => !registry.Supports(t)))
        {
            throw FhirOperationException.BadRequest($"_type: '{unknown}' is not a resource type this server stores.");
        }

        if (types.Count == 0)
        {
            // AuditEvents live in their own table (Audit.AuditEventSearch): a search across types covers the others.
            types = [.. registry.ResourceTypes.Where(t => !Audit.AuditEventSearch.IsVirtual(t)).Order(StringComparer.Ordinal)];
        }
        else if (types.Count > 1 && types.Any(Audit.AuditEventSearch.IsVirtual))
        {
            throw FhirOperationException.BadRequest("_type: AuditEvent is searched on its own (GET [base]/AuditEvent or _type=AuditEvent), not together with other types.");
        }

        // Only parameters that mean the same on every type can be applied across types; the rest is reported.
        var applicable = list
            .Where(p => ResultParameters.AcrossTypes.Contains(p.Key) || CommonSearchParameters.Names.Contains(p.Key.Split(':')[0]))
            .ToList();
        var query = _parser.Parse(types[0], applicable);
        var notApplicable = list.Except(applicable)
            .Select(p => new IgnoredParameter(p.Key, p.Value, "a whole-system search applies only the common parameters (_id, _lastUpdated, …)."));
        query = query with { Ignored = [.. query.Ignored, .. notApplicable], Includes = [], RevIncludes = [] };

        // _sort must be by a common parameter too (the parser checked it against the first type only).
        var sortIgnored = query.Sort.Where(s => !CommonSearchParameters.Names.Contains(s.Parameter.Name))
            .Select(s => new IgnoredParameter("_sort", s.Parameter.Name, "a whole-system search sorts only by common parameters."))
            .ToList();
        query = query with
        {
            Sort = [.. query.Sort.Where(s => CommonSearchParameters.Names.Contains(s.Parameter.Name))],
            Ignored = [.. query.Ignored, .. sortIgnored],
        };

        var used = new List<KeyValuePair<string, string>>(list);
        if (typeParameters.Count > 0)
        {
            used.Insert(0, new("_type", string.Join(',', types)));
        }

        return RunAsync(new SearchRequest(query, types, cursor), call.BaseUrl, used, call, cancellationToken);
    }

    /// <summary>
    /// Current resources matching the condition of a conditional interaction or a write hook's lookup (AND across
    /// entries), at most <paramref name="limit"/> of them. A parameter the server cannot apply is a 400 rather than
    /// ignored: ignoring part of a condition would make it match resources it should not.
    /// </summary>
    public Task<IReadOnlyList<ResourceVersion>> FindCurrentAsync(
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        int limit,
        CancellationToken cancellationToken)
    {
        var query = _parser.Parse(resourceType, parameters);
        if (query.Ignored.Count > 0)
        {
            var ignored = query.Ignored[0];
            throw FhirOperationException.BadRequest($"The condition uses '{ignored.Name}', which cannot be applied: {ignored.Reason}");
        }

        return FindCurrentAsync(query, limit, cancellationToken);
    }

    /// <summary>As above for a search parsed already: its criteria select, its result parameters play no part.</summary>
    public async Task<IReadOnlyList<ResourceVersion>> FindCurrentAsync(SearchQuery query, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var criteriaOnly = query with
        {
            Count = Math.Clamp(limit, 1, SearchQuery.MaxCount),
            Sort = [],
            Includes = [],
            RevIncludes = [],
            Total = TotalMode.None,
            Summary = SummaryMode.False,
        };
        var result = await store.SearchAsync(SearchRequest.ForType(criteriaOnly), cancellationToken);
        return result.Matches;
    }

    private async Task<Searchset> RunAsync(
        SearchRequest request,
        string searchUrl,
        List<KeyValuePair<string, string>> parameters,
        SearchCall call,
        CancellationToken cancellationToken)
    {
        // Chains, _has and includes reach other types: the caller's scopes decide which (and narrow untyped includes).
        var query = policy.AuthorizeSearch(call.Caller, request.Query);
        request = request with { Query = query };
        if (query.Ignored.Count > 0 && call.Strict)
        {
            throw new FhirOperationException(
                HttpStatusCode.BadRequest,
                SearchBundleFactory.IgnoredOutcome(query.Ignored, OperationOutcome.IssueSeverity.Error));
        }

        var result = policy.FilterIncluded(call.Caller, await store.SearchAsync(request, cancellationToken));
        return SearchBundleFactory.Create(call.BaseUrl, searchUrl, SearchBundleFactory.AppliedParameters(parameters, query), request.Cursor, query, result);
    }
}
