using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using AllianceFhir.Instruments.Catalog;
using AllianceFhir.Instruments.Monitoring;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// Trends as FHIR (docs/monitoring.md): R4 <c>Observation/$lastn</c> and <c>Patient/{id}/$alliance-summary</c>. Both
/// read through <see cref="SearchService"/> with the caller, so scopes, the patient compartment and the tenant bound
/// what they return exactly as a search would.
/// </summary>
public static class MonitoringEndpoints
{
    /// <summary>Enough sessions for years of weekly scores of every code; a longer series is cut to the newest.</summary>
    private const int SeriesLimit = SearchQuery.MaxCount;

    public static void MapMonitoringOperations(this RouteGroupBuilder fhir)
    {
        fhir.MapGet("/Observation/$lastn", LastNAsync)
            .WithTags(nameof(Observation))
            .WithName("lastn-Observation")
            .WithSummary("The most recent Observations per code for a patient (R4 Observation/$lastn)")
            .WithDescription("Query: patient= or subject= (required), max (default 1), and any Observation search parameter (category, code, date). A searchset Bundle, newest first within each code.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);
        fhir.MapGet("/Patient/{id}/$alliance-summary", SummaryAsync)
            .WithTags(nameof(Patient))
            .WithName("alliance-summary-Patient")
            .WithSummary("Per instrument and score: the series, cut-off, latest interpretation, and the open Flags (docs/monitoring.md)")
            .WithMetadata(new FhirIdExampleMetadata("123"))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status404NotFound);
    }

    public static async Task<IResult> LastNAsync(HttpContext http, SearchService search, CancellationToken ct)
    {
        var parameters = http.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToList();
        var max = 1;
        if (parameters.Where(p => p.Key == "max").Select(p => p.Value).FirstOrDefault() is { } text
            && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out max) || max < 1))
        {
            throw FhirOperationException.BadRequest($"max must be a positive integer, not '{text}'", "max");
        }

        if (!parameters.Any(p => p.Key is "patient" or "subject"))
        {
            throw FhirOperationException.BadRequest("$lastn needs patient or subject: it answers per patient", "patient");
        }

        parameters.RemoveAll(p => p.Key is "max" or "_sort" or "_count" or "_page");
        parameters.Add(new("_sort", "-date"));
        parameters.Add(new("_count", SeriesLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var found = await SearchAllAsync<Observation>(search, http, nameof(Observation), parameters, ct);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow } };
        var baseUrl = FhirUrls.Base(http.Request);
        foreach (var observation in found.GroupBy(CodeKey, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).SelectMany(g => g.Take(max)))
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/Observation/{observation.Id}",
                Resource = observation,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }

        bundle.Total = bundle.Entry.Count;
        return FhirResponse.Of(bundle);
    }

    public static async Task<IResult> SummaryAsync(
        string id,
        HttpContext http,
        SearchService search,
        InstrumentCatalog catalog,
        MonitoringRules rules,
        CancellationToken ct)
    {
        // A patient the caller may not read is refused before this runs (RestrictedAccess); one that does not exist is 404 here.
        var patients = await SearchAllAsync<Patient>(search, http, nameof(Patient), [new("_id", id)], ct);
        if (patients.Count == 0)
        {
            throw FhirOperationException.NotFound($"Patient/{id} is not known");
        }

        var patient = $"Patient/{id}";
        var observations = await SearchAllAsync<Observation>(search, http, nameof(Observation),
            [new("subject", patient), new("code", $"{Instruments.Fhir.ExtensionUrls.AllianceScoreSystem}|"), new("_sort", "date"), new("_count", SeriesLimit.ToString(System.Globalization.CultureInfo.InvariantCulture))], ct);
        var flags = await SearchAllAsync<Flag>(search, http, nameof(Flag),
            [new("patient", patient), new("_sort", "-date"), new("_count", SeriesLimit.ToString(System.Globalization.CultureInfo.InvariantCulture))], ct);
        return FhirResponse.Of(AllianceSummary.Build(patient, observations, flags, catalog.GetQuestionnaires(), rules.Set));
    }

    private static async Task<List<T>> SearchAllAsync<T>(
        SearchService search,
        HttpContext http,
        string type,
        List<KeyValuePair<string, string>> parameters,
        CancellationToken ct)
        where T : Resource
    {
        var call = new SearchCall(FhirUrls.Base(http.Request), http.GetAccessContext());
        var searchset = await search.SearchTypeAsync(type, parameters, call, ct);
        return searchset.WithResources().Entry.Where(e => e.Search?.Mode != Bundle.SearchEntryMode.Outcome).Select(e => e.Resource).OfType<T>().ToList();
    }

    private static string CodeKey(Observation observation) =>
        observation.Code?.Coding.FirstOrDefault() is { } c ? $"{c.System}|{c.Code}" : observation.Code?.Text ?? string.Empty;
}
