using System.Globalization;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Storage;

namespace AllianceFhir.Api.Endpoints;

/// <summary>Type-level search (GET and POST _search). Matching is equality on indexed values until the full engine lands.</summary>
public static class SearchEndpoints
{
    private const int DefaultCount = 20;
    private const int MaxCount = 1000;

    private static readonly HashSet<string> ResultParameters = new(StringComparer.Ordinal)
    {
        "_format", "_pretty", "_count", "_summary", "_elements", "_total",
    };

    public static void MapSearch(this RouteGroupBuilder group, string type)
    {
        group.MapGet("/", (HttpContext http, IResourceStore store, CancellationToken ct) =>
                SearchAsync(type, http.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))), http, store, ct))
            .WithName($"search-{type}")
            .WithSummary($"Search {type} resources")
            .WithDescription("Returns a searchset Bundle. Search parameters are AND-ed.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);

        group.MapPost("/_search", async (HttpContext http, IResourceStore store, CancellationToken ct) =>
            {
                var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
                var parameters = http.Request.Query.Concat(form ?? Enumerable.Empty<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>())
                    .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty)));
                return await SearchAsync(type, parameters, http, store, ct);
            })
            .WithName($"search-post-{type}")
            .WithSummary($"Search {type} resources with form-encoded parameters")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);
    }

    public static async Task<IResult> SearchAsync(
        string type,
        IEnumerable<KeyValuePair<string, string>> parameters,
        HttpContext http,
        IResourceStore store,
        CancellationToken ct)
    {
        var all = parameters.ToList();
        var countText = all.LastOrDefault(p => p.Key == "_count").Value;
        var count = DefaultCount;
        if (!string.IsNullOrEmpty(countText) &&
            !(int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count >= 0))
        {
            throw FhirOperationException.BadRequest($"_count '{countText}' is not a whole number");
        }

        count = Math.Min(count, MaxCount);
        var criteria = all.Where(p => !ResultParameters.Contains(p.Key)).ToList();
        var matches = await store.FindCurrentAsync(type, criteria, count, ct);
        return FhirResponse.Of(BundleFactory.SearchSet(http.Request, matches, total: null));
    }
}
