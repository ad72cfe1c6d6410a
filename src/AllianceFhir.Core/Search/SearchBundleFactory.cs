using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Core.Search;

/// <summary>
/// Builds the searchset Bundle: links over the parameters the server actually applied, match and include entries,
/// and an outcome entry naming what was ignored. Used by <see cref="SearchService"/>, for every searchset the server returns.
/// </summary>
public static class SearchBundleFactory
{
    public const string CursorParameter = "_cursor";

    /// <param name="baseUrl">The FHIR base URL, for the entries' fullUrl.</param>
    /// <param name="searchUrl">The GET URL of this search without a query string (also for POST _search).</param>
    /// <param name="used">The parameters that were applied, in request order, without the cursor.</param>
    /// <returns>
    /// The Bundle, whose entries hold no resource where the stored JSON can be sent as it is; those entries' JSON is in
    /// <see cref="Searchset.StoredEntries"/> (null where the entry's resource is set).
    /// </returns>
    public static Searchset Create(
        string baseUrl,
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

        var stored = new List<string?>();
        var subset = query.Summary != SummaryMode.False || query.Elements.Count > 0;
        foreach (var match in result.Matches)
        {
            var entry = Entry(baseUrl, match, Bundle.SearchEntryMode.Match);
            if (subset)
            {
                entry.Resource = ResourceSubsetting.Apply(match.ToResource()!, query.Summary, query.Elements);
            }

            bundle.Entry.Add(entry);
            stored.Add(subset ? null : match.Json);
        }

        foreach (var included in result.Included)
        {
            bundle.Entry.Add(Entry(baseUrl, included, Bundle.SearchEntryMode.Include));
            stored.Add(included.Json);
        }

        if (query.Ignored.Count > 0)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                Resource = IgnoredOutcome(query.Ignored, OperationOutcome.IssueSeverity.Warning),
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Outcome },
            });
            stored.Add(null);
        }

        return new Searchset(bundle, stored);
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

    /// <summary>The self link lists what was applied: ignored parameters go, `_sort` keeps only its applied keys, `_count` is the page size used.</summary>
    public static List<KeyValuePair<string, string>> AppliedParameters(IEnumerable<KeyValuePair<string, string>> parameters, SearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(query);
        var used = new List<KeyValuePair<string, string>>();
        var sortWritten = false;
        var countWritten = false;
        foreach (var p in parameters)
        {
            if (ResultParameters.Format.Contains(p.Key))
            {
                used.Add(p);
                continue;
            }

            if (p.Key == "_count")
            {
                // Above the maximum the server pages by the maximum: the links say the page size it used.
                if (!countWritten)
                {
                    used.Add(new("_count", query.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }

                countWritten = true;
                continue;
            }

            if (p.Key == "_sort")
            {
                if (!sortWritten && query.Sort.Count > 0)
                {
                    used.Add(new("_sort", string.Join(',', query.Sort.Select(s => (s.Descending ? "-" : string.Empty) + s.Parameter.Name))));
                }

                sortWritten = true;
                continue;
            }

            if (!query.Ignored.Any(i => i.Name == p.Key && i.Value == p.Value))
            {
                used.Add(p);
            }
        }

        return used;
    }

    /// <summary>Takes the continuation cursor out of the parameters (the last one wins) and returns it.</summary>
    public static string? TakeCursor(List<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var cursor = parameters.LastOrDefault(p => p.Key == CursorParameter).Value;
        parameters.RemoveAll(p => p.Key == CursorParameter);
        return string.IsNullOrEmpty(cursor) ? null : cursor;
    }

    private static Bundle.EntryComponent Entry(string baseUrl, ResourceVersion version, Bundle.SearchEntryMode mode) =>
        new()
        {
            FullUrl = $"{baseUrl}/{version.ResourceType}/{version.Id}",
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

/// <summary>A searchset Bundle and, per entry, the stored JSON of its resource (null where the Bundle holds it).</summary>
public sealed record Searchset(Bundle Bundle, IReadOnlyList<string?> StoredEntries)
{
    /// <summary>The Bundle with every entry's resource parsed in, for where stored JSON cannot be spliced (a batch response).</summary>
    public Bundle WithResources()
    {
        for (var i = 0; i < StoredEntries.Count; i++)
        {
            if (StoredEntries[i] is { } json)
            {
                Bundle.Entry[i].Resource = Serialization.FhirSerialization.ParseStored(json);
            }
        }

        return Bundle;
    }
}
