using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Endpoints;

/// <summary>A history request's <c>_summary</c> and <c>_elements</c>, for the versions in it (not the Bundle).</summary>
internal sealed record HistorySubset(SummaryMode Summary, IReadOnlyList<string> Elements)
{
    public static HistorySubset From(IQueryCollection query)
    {
        var summary = query["_summary"].ToString() is { Length: > 0 } text ? ResourceSubsetting.ParseSummary(text) : SummaryMode.False;

        // count asks for the number of versions instead of them, and history has no count to give without reading
        // every version; an empty Bundle would read as "no history", so the request is refused instead.
        if (summary == SummaryMode.Count)
        {
            throw FhirOperationException.Of(
                HttpStatusCode.BadRequest,
                OperationOutcome.IssueType.NotSupported,
                "_summary=count is not supported on _history: this server does not count versions; page through them with _count",
                "_summary");
        }

        var elements = query["_elements"]
            .SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        return new HistorySubset(summary, elements);
    }
}
