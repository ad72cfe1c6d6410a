using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using Microsoft.Extensions.Primitives;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// FHIR search over HTTP: type level (<c>GET [type]?…</c>, <c>POST [type]/_search</c> with a form body, the same search)
/// and whole-system (<c>GET [base]?_type=…</c>). The search itself is <see cref="SearchService"/>'s, as for a batch's GET
/// entries; this file reads the parameters out of the request and writes the searchset.
/// </summary>
public static class SearchEndpoints
{
    public static void MapSearch(this RouteGroupBuilder group, string type)
    {
        group.MapGet("/", (HttpContext http, SearchService search, CancellationToken ct) =>
                SearchTypeAsync(type, FromQuery(http.Request), http, search, ct))
            .WithName($"search-{type}")
            .WithMetadata(new FhirSearchMetadata(type))
            .WithSummary($"Search {type} resources")
            .WithDescription("Returns a searchset Bundle. Parameters are AND-ed, comma-separated values OR-ed; next/previous links page with an opaque cursor.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);

        group.MapPost("/_search", async (HttpContext http, SearchService search, CancellationToken ct) =>
            {
                var parameters = FromQuery(http.Request);
                if (http.Request.HasFormContentType)
                {
                    parameters.AddRange(Flatten(await ReadFormAsync(http.Request, ct)));
                }
                else if (FhirNegotiation.HasBody(http.Request))
                {
                    // R4 search.html: the parameters of a POST search come form-encoded. Another body would be dropped
                    // unread, and the search run without the parameters the client meant.
                    throw FhirOperationException.Of(
                        System.Net.HttpStatusCode.UnsupportedMediaType,
                        Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported,
                        $"A search by POST takes its parameters as application/x-www-form-urlencoded, not '{http.Request.ContentType}'");
                }

                return await SearchTypeAsync(type, parameters, http, search, ct);
            })
            .WithName($"search-post-{type}")
            .WithSummary($"Search {type} resources with form-encoded parameters")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status415UnsupportedMediaType);
    }

    public static void MapSystemSearch(this RouteGroupBuilder fhir)
    {
        fhir.MapGet("/", async (HttpContext http, SearchService search, CancellationToken ct) =>
                Respond(await search.SearchSystemAsync(FromQuery(http.Request), Call(http), ct)))
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
        SearchService search,
        CancellationToken ct) =>
        Respond(await search.SearchTypeAsync(type, parameters, Call(http), ct));

    private static SearchCall Call(HttpContext http) =>
        new(FhirUrls.Base(http.Request), http.GetAccessContext(), PreferHeader.IsStrictHandling(http.Request));

    private static SearchsetResponse Respond(Searchset searchset) => new(searchset.Bundle, searchset.StoredEntries);

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
