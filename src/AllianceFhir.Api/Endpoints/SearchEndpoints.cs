using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Primitives;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// FHIR search: type level (<c>GET [type]?…</c>, <c>POST [type]/_search</c> with a form body, the same search) and
/// whole-system (<c>GET [base]?_type=…</c>). Unsupported parameters are reported in an outcome entry, or rejected with
/// <c>Prefer: handling=strict</c>; malformed values are a 400 either way (the parser throws).
/// </summary>
public static class SearchEndpoints
{
    /// <summary>Result parameters that mean the same for every type, so a whole-system search can apply them.</summary>
    private static readonly HashSet<string> SystemResultParameters = new(StringComparer.Ordinal)
    {
        "_count", "_sort", "_summary", "_elements", "_total", "_format", "_pretty",
    };

    /// <summary>The Resource-level parameters every type shares.</summary>
    private static readonly HashSet<string> CommonParameters = new(StringComparer.Ordinal)
    {
        "_id", "_lastUpdated", "_tag", "_profile", "_security", "_source",
    };

    public static void MapSearch(this RouteGroupBuilder group, string type)
    {
        group.MapGet("/", (HttpContext http, SearchParameterRegistry registry, IResourceStore store, CancellationToken ct) =>
                SearchTypeAsync(type, FromQuery(http.Request), http, registry, store, ct))
            .WithName($"search-{type}")
            .WithMetadata(new FhirSearchMetadata(type))
            .WithSummary($"Search {type} resources")
            .WithDescription("Returns a searchset Bundle. Parameters are AND-ed, comma-separated values OR-ed; next/previous links page with an opaque cursor.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);

        group.MapPost("/_search", async (HttpContext http, SearchParameterRegistry registry, IResourceStore store, CancellationToken ct) =>
            {
                var parameters = FromQuery(http.Request);
                if (http.Request.HasFormContentType)
                {
                    parameters.AddRange(Flatten(await ReadFormAsync(http.Request, ct)));
                }

                return await SearchTypeAsync(type, parameters, http, registry, store, ct);
            })
            .WithName($"search-post-{type}")
            .WithSummary($"Search {type} resources with form-encoded parameters")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);
    }

    public static void MapSystemSearch(this RouteGroupBuilder fhir)
    {
        fhir.MapGet("/", (HttpContext http, SearchParameterRegistry registry, IResourceStore store, CancellationToken ct) =>
                SearchSystemAsync(FromQuery(http.Request), http, registry, store, ct))
            .WithName("search-system")
            .WithMetadata(new FhirSearchMetadata(null))
            .WithTags("System")
            .WithSummary("Search across resource types (_type=A,B) with the common parameters")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> SearchTypeAsync(
        string type,
        List<KeyValuePair<string, string>> parameters,
        HttpContext http,
        SearchParameterRegistry registry,
        IResourceStore store,
        CancellationToken ct)
    {
        SearchQueryParser.CheckCharacters(parameters);
        var cursor = SearchBundleFactory.TakeCursor(parameters);
        var query = new SearchQueryParser(registry).Parse(type, parameters);
        return await RunAsync(new SearchRequest(query, [type], cursor), $"{FhirUrls.Base(http.Request)}/{type}", parameters, http, store, ct);
    }

    private static async Task<IResult> SearchSystemAsync(
        List<KeyValuePair<string, string>> parameters,
        HttpContext http,
        SearchParameterRegistry registry,
        IResourceStore store,
        CancellationToken ct)
    {
        SearchQueryParser.CheckCharacters(parameters);
        var cursor = SearchBundleFactory.TakeCursor(parameters);
        var typeParameters = parameters.Where(p => p.Key == "_type").ToList();
        parameters.RemoveAll(p => p.Key == "_type");
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
            types = [.. registry.ResourceTypes.Order(StringComparer.Ordinal)];
        }

        // Only parameters that mean the same on every type can be applied across types; the rest is reported.
        var applicable = parameters.Where(p => SystemResultParameters.Contains(p.Key) || CommonParameters.Contains(p.Key.Split(':')[0])).ToList();
        var query = new SearchQueryParser(registry).Parse(types[0], applicable);
        var notApplicable = parameters.Except(applicable)
            .Select(p => new IgnoredParameter(p.Key, p.Value, "a whole-system search applies only the common parameters (_id, _lastUpdated, …)."));
        query = query with { Ignored = [.. query.Ignored, .. notApplicable], Includes = [], RevIncludes = [] };

        // _sort must be by a common parameter too (the parser checked it against the first type only).
        var sortIgnored = query.Sort.Where(s => !CommonParameters.Contains(s.Parameter.Name))
            .Select(s => new IgnoredParameter("_sort", s.Parameter.Name, "a whole-system search sorts only by common parameters."))
            .ToList();
        query = query with { Sort = [.. query.Sort.Where(s => CommonParameters.Contains(s.Parameter.Name))], Ignored = [.. query.Ignored, .. sortIgnored] };

        var used = new List<KeyValuePair<string, string>>(parameters);
        if (typeParameters.Count > 0)
        {
            used.Insert(0, new("_type", string.Join(',', types)));
        }

        return await RunAsync(new SearchRequest(query, types, cursor), FhirUrls.Base(http.Request), used, http, store, ct);
    }

    private static async Task<IResult> RunAsync(
        SearchRequest request,
        string searchUrl,
        List<KeyValuePair<string, string>> parameters,
        HttpContext http,
        IResourceStore store,
        CancellationToken ct)
    {
        // Chains, _has and includes reach other types: the caller's scopes decide which (and narrow untyped includes).
        var policy = http.RequestServices.GetRequiredService<AccessPolicy>();
        request = request with { Query = policy.AuthorizeSearch(http.GetAccessContext(), request.Query) };
        var query = request.Query;
        if (query.Ignored.Count > 0 && PreferHeader.IsStrictHandling(http.Request))
        {
            throw new FhirOperationException(
                System.Net.HttpStatusCode.BadRequest,
                SearchBundleFactory.IgnoredOutcome(query.Ignored, OperationOutcome.IssueSeverity.Error));
        }

        var result = policy.FilterIncluded(http.GetAccessContext(), await store.SearchAsync(request, ct));
        var searchset = SearchBundleFactory.Create(FhirUrls.Base(http.Request), searchUrl, SearchBundleFactory.AppliedParameters(parameters, query), request.Cursor, query, result);
        return new SearchsetResponse(searchset.Bundle, searchset.StoredEntries);
    }

    /// <summary>
    /// ASP.NET Core throws InvalidDataException for a form it cannot decode (an escaped NUL, too many fields): the
    /// client's fault, so a 400 rather than the 500 an unknown exception gets.
    /// </summary>
    private static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return await request.ReadFormAsync(ct);
        }
        catch (InvalidDataException ex)
        {
            throw FhirOperationException.BadRequest($"The form body of the search cannot be read: {ex.Message}");
        }
    }

    private static List<KeyValuePair<string, string>> FromQuery(HttpRequest request) => [.. Flatten(request.Query)];

    private static IEnumerable<KeyValuePair<string, string>> Flatten(IEnumerable<KeyValuePair<string, StringValues>> values) =>
        values.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty)));
}
