using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Http;

/// <summary>
/// Builds the searchset Bundle: links over the parameters the server actually applied, match and include entries,
/// and an outcome entry naming what was ignored.
/// </summary>
public static class SearchBundleFactory
{
    public const string CursorParameter = "_cursor";

    /// <param name="searchUrl">The GET URL of this search without a query string (also for POST _search).</param>
    /// <param name="used">The parameters that were applied, in request order, without the cursor.</param>
    public static Bundle Create(
        HttpRequest request,
        string searchUrl,
        IReadOnlyList<KeyValuePair<string, string>> used,
        string? cursor,
        SearchQuery query,
        SearchResult result)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Timestamp = DateTimeOffset.UtcNow, Total = result.Total };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = Link(searchUrl, used, cursor) });
        if (cursor is not null)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "first", Url = Link(searchUrl, used, null) });
        }

        if (result.PreviousCursor is not null)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "previous", Url = Link(searchUrl, used, result.PreviousCursor) });
        }

        if (result.NextCursor is not null)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = Link(searchUrl, used, result.NextCursor) });
        }

        foreach (var match in result.Matches)
        {
            bundle.Entry.Add(Entry(request, match, Bundle.SearchEntryMode.Match, r => ResourceSubsetting.Apply(r, query.Summary, query.Elements)));
        }

        foreach (var included in result.Included)
        {
            bundle.Entry.Add(Entry(request, included, Bundle.SearchEntryMode.Include, r => r));
        }

        if (query.Ignored.Count > 0)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                Resource = IgnoredOutcome(query.Ignored, OperationOutcome.IssueSeverity.Warning),
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Outcome },
            });
        }

        return bundle;
    }

    /// <summary>One issue per ignored parameter: what the client sent and why it had no effect.</summary>
    public static OperationOutcome IgnoredOutcome(IReadOnlyList<IgnoredParameter> ignored, OperationOutcome.IssueSeverity severity)
    {
        var outcome = new OperationOutcome();
        foreach (var p in ignored)
        {
            outcome.Issue.Add(Outcomes.Issue(
                severity,
                OperationOutcome.IssueType.NotSupported,
                $"The search parameter '{p.Name}={p.Value}' was not applied: {p.Reason}"));
        }

        return outcome;
    }

    private static Bundle.EntryComponent Entry(HttpRequest request, ResourceVersion version, Bundle.SearchEntryMode mode, Func<Resource, Resource> shape) =>
        new()
        {
            FullUrl = FhirUrls.Resource(request, version.ResourceType, version.Id),
            Resource = shape(version.ToResource()!),
            Search = new Bundle.SearchComponent { Mode = mode },
        };

    private static string Link(string searchUrl, IReadOnlyList<KeyValuePair<string, string>> used, string? cursor)
    {
        var parameters = cursor is null ? used : [.. used, new(CursorParameter, cursor)];
        if (parameters.Count == 0)
        {
            return searchUrl;
        }

        return searchUrl + "?" + string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
    }
}
