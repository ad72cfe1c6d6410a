using System.Globalization;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;

namespace AllianceFhir.Api.Endpoints;

/// <summary>History at instance, type and system level: Bundles of type history, newest first, paged.</summary>
public static class HistoryEndpoints
{
    private const int DefaultCount = 50;
    private const int MaxCount = 1000;

    public static void MapTypeHistory(this RouteGroupBuilder group, string type)
    {
        group.MapGet("/_history", (HttpContext http, ResourceService service, CancellationToken ct) =>
                HistoryAsync(type, null, http, service, ct))
            .WithName($"history-type-{type}")
            .WithSummary($"Every version of every {type}, newest first")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);

        group.MapGet("/{id}/_history", (string id, HttpContext http, ResourceService service, CancellationToken ct) =>
                HistoryAsync(type, id, http, service, ct))
            .WithName($"history-instance-{type}")
            .WithSummary($"Every version of one {type}, newest first")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status404NotFound);
    }

    public static void MapSystemHistory(this RouteGroupBuilder fhir)
    {
        fhir.MapGet("/_history", (HttpContext http, ResourceService service, CancellationToken ct) =>
                HistoryAsync(null, null, http, service, ct))
            .WithName("history-system")
            .WithTags("System")
            .WithSummary("Every version of every resource, newest first")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);
    }

    public static async Task<IResult> HistoryAsync(
        string? type,
        string? id,
        HttpContext http,
        ResourceService service,
        CancellationToken ct)
    {
        var query = http.Request.Query;
        var count = ParseCount(query["_count"].ToString());
        DateTimeOffset? since = null;
        if (query["_since"].ToString() is { Length: > 0 } sinceText)
        {
            since = DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s)
                ? s
                : throw FhirOperationException.BadRequest($"_since '{sinceText}' is not a FHIR instant");
        }

        long? before = null;
        if (query["_before-seq"].ToString() is { Length: > 0 } beforeText)
        {
            before = long.TryParse(beforeText, NumberStyles.None, CultureInfo.InvariantCulture, out var b)
                ? b
                : throw FhirOperationException.BadRequest($"_before-seq '{beforeText}' is not a page cursor of this server");
        }

        var subset = HistorySubset.From(query);
        var caller = http.GetAccessContext();
        var policy = http.RequestServices.GetRequiredService<AccessPolicy>();
        if (id is not null && policy.IsRestricted(caller, type!, Permissions.Read))
        {
            return await RestrictedInstanceHistoryAsync(type!, id, since, before, count, subset, http, service, policy, caller, ct);
        }

        // An unknown instance is 404, not an empty Bundle: the client asked about a resource that does not exist.
        if (id is not null && (await service.HistoryAsync(new HistoryQuery(type, id, null, 1), ct)).Count == 0)
        {
            throw FhirOperationException.NotFound($"{type}/{id} is not known");
        }

        // One more than asked tells whether a next page exists without counting the table.
        var versions = await service.HistoryAsync(new HistoryQuery(type, id, since, count + 1, before), ct);
        return Page(http, versions, count, subset);
    }

    /// <summary>
    /// One resource's history under a patient/ or search-filtered grant: only the versions the caller may read, each
    /// judged on its own content; with none at all the resource is as unknown as one that never existed.
    /// </summary>
    private static async Task<IResult> RestrictedInstanceHistoryAsync(
        string type,
        string id,
        DateTimeOffset? since,
        long? before,
        int count,
        HistorySubset subset,
        HttpContext http,
        ResourceService service,
        AccessPolicy policy,
        AccessContext caller,
        CancellationToken ct)
    {
        var store = http.RequestServices.GetRequiredService<IResourceStore>();
        async Task<List<ResourceVersion>> ReadableAsync(DateTimeOffset? from, long? below, int wanted)
        {
            var readable = new List<ResourceVersion>();
            while (readable.Count < wanted)
            {
                var versions = await service.HistoryAsync(new HistoryQuery(type, id, from, MaxCount, below), ct);
                readable.AddRange(await policy.ReadableVersionsAsync(caller, store, versions, ct));
                if (versions.Count < MaxCount)
                {
                    break;
                }

                below = versions[^1].Sequence;
            }

            return readable;
        }

        if ((await ReadableAsync(null, null, 1)).Count == 0)
        {
            throw FhirOperationException.NotFound($"{type}/{id} is not known");
        }

        return Page(http, await ReadableAsync(since, before, count + 1), count, subset);
    }

    private static FhirResponse Page(HttpContext http, IReadOnlyList<ResourceVersion> versions, int count, HistorySubset subset)
    {
        string? next = null;
        if (versions.Count > count)
        {
            versions = [.. versions.Take(count)];
            next = BundleFactory.WithQuery(http.Request, new Dictionary<string, string>
            {
                ["_count"] = BundleFactory.Invariant(count),
                ["_before-seq"] = BundleFactory.Invariant(versions[^1].Sequence),
            });
        }

        var bundle = BundleFactory.History(http.Request, versions, next);
        ResourceSubsetting.ApplyToEntries(bundle, subset.Summary, subset.Elements);
        return FhirResponse.Of(bundle);
    }

    private static int ParseCount(string text)
    {
        if (text.Length == 0)
        {
            return DefaultCount;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? Math.Min(count, MaxCount)
            : throw FhirOperationException.BadRequest($"_count '{text}' is not a positive whole number");
    }
}
