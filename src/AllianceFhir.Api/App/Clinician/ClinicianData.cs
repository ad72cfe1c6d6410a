using AllianceFhir.Api.Http;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>
/// What the clinician pages read, through the same Core services and access rules as the FHIR API: the patient is read
/// only when the caller's scopes cover it, and every search goes through <see cref="SearchService"/>, which narrows it
/// to what a patient/ or search-filtered grant allows. Score Observations are found by the alliance-score code system
/// the instruments extract into; flags are ordinary <c>Flag</c> resources, whoever wrote them.
/// </summary>
public sealed class ClinicianData(SearchService search, IResourceReader reader, AccessPolicy policy)
{
    /// <summary>The newest this many scores (and flags) of a patient are shown; older ones are left out.</summary>
    public const int MaxResources = SearchQuery.MaxCount;

    /// <summary>The patient, or null when it is unknown or the caller's scopes do not cover it (the same answer).</summary>
    public async Task<Patient?> PatientAsync(AccessContext caller, string id, CancellationToken ct)
    {
        policy.Demand(caller, AccessRequest.Of(FhirInteraction.Read, nameof(Patient)));
        return await reader.ReadAsync(nameof(Patient), id, ct) is Patient patient && policy.Permits(caller, Permissions.Read, patient)
            ? patient
            : null;
    }

    /// <summary>The patient's score Observations, oldest first, without those marked entered-in-error.</summary>
    public async Task<IReadOnlyList<Observation>> ScoresAsync(AccessContext caller, HttpRequest request, string patientId, CancellationToken ct)
    {
        var found = await SearchAsync<Observation>(caller, request, nameof(Observation), [
            new("subject", $"Patient/{patientId}"),
            new("code", ExtensionUrls.AllianceScoreSystem + "|"),
            new("_sort", "-date"),
        ], ct);
        return [.. found.Where(o => o.Status != ObservationStatus.EnteredInError).Reverse()];
    }

    /// <summary>Flags of one patient, or of every patient the caller may see when <paramref name="patientId"/> is null.</summary>
    public async Task<IReadOnlyList<Flag>> FlagsAsync(AccessContext caller, HttpRequest request, string? patientId, CancellationToken ct)
    {
        List<KeyValuePair<string, string>> parameters = [new("_sort", "-date")];
        if (patientId is not null)
        {
            parameters.Add(new("subject", $"Patient/{patientId}"));
        }

        return await SearchAsync<Flag>(caller, request, nameof(Flag), parameters, ct);
    }

    /// <summary>The patients with these ids that the caller may read (for names on the clinic list).</summary>
    public async Task<IReadOnlyDictionary<string, Patient>> PatientsAsync(AccessContext caller, HttpRequest request, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0 || !policy.Granted(caller, nameof(Patient)).HasFlag(Permissions.Search))
        {
            return new Dictionary<string, Patient>();
        }

        // A search names at most SearchQuery.MaxValues values.
        var result = new Dictionary<string, Patient>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(SearchQuery.MaxValues))
        {
            foreach (var patient in await SearchAsync<Patient>(caller, request, nameof(Patient), [new("_id", string.Join(',', chunk))], ct))
            {
                result[patient.Id!] = patient;
            }
        }

        return result;
    }

    private async Task<IReadOnlyList<T>> SearchAsync<T>(
        AccessContext caller,
        HttpRequest request,
        string type,
        List<KeyValuePair<string, string>> parameters,
        CancellationToken ct)
        where T : Resource
    {
        policy.Demand(caller, AccessRequest.Of(FhirInteraction.SearchType, type));
        parameters.Add(new("_count", MaxResources.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var searchset = await search.SearchTypeAsync(type, parameters, new SearchCall(FhirUrls.Base(request), caller), ct);
        return [.. searchset.WithResources().Entry
            .Where(e => e.Search?.Mode is null or Bundle.SearchEntryMode.Match)
            .Select(e => e.Resource)
            .OfType<T>()];
    }
}
