using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.App;

/// <summary>A patient with a few sessions of SRS scores, and flags as a monitoring rule would write them.</summary>
public static class ClinicianScenario
{
    public const string SrsTotal = "http://alliancefhir.org/fhir/CodeSystem/alliance-score|srs-total";

    /// <summary>Stores one SRS response per (date, four line scores) and answers the srs-total Observation ids, oldest first.</summary>
    public static async Task<List<string>> SessionsAsync(HttpClient client, string patient, params (string Authored, decimal[] Lines)[] sessions)
    {
        await InstrumentResponses.StoreSubjectAsync(client, patient);
        var srs = await InstrumentResponses.FetchAsync(client, "srs");
        foreach (var (authored, lines) in sessions)
        {
            var response = InstrumentResponses.Decimals(srs, patient, lines);
            response.Authored = authored;
            using var created = await client.PostAsync("/fhir/QuestionnaireResponse", response);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        return await TotalIdsAsync(client, patient);
    }

    public static async Task<List<string>> TotalIdsAsync(HttpClient client, string patient)
    {
        var bundle = await (await client.GetAsync($"/fhir/Observation?subject=Patient/{patient}&code={SrsTotal}&_sort=date")).ReadAsAsync<Bundle>();
        return [.. bundle.Entry.Select(e => e.Resource!.Id!)];
    }

    /// <summary>A Flag pointing at the Observation that raised it (core flag-detail extension).</summary>
    public static async Task<string> FlagAsync(HttpClient client, string patient, string observationId, string reason, bool active = true)
    {
        var flag = new Flag
        {
            Status = active ? Flag.FlagStatus.Active : Flag.FlagStatus.Inactive,
            Code = new CodeableConcept("http://alliancefhir.org/fhir/CodeSystem/alliance-rule", "srs-below-cutoff", null, reason),
            Subject = new ResourceReference($"Patient/{patient}"),
            Period = new Period { Start = "2026-10-12" },
        };
        flag.Extension.Add(new Extension("http://hl7.org/fhir/StructureDefinition/flag-detail", new ResourceReference($"Observation/{observationId}")));
        using var created = await client.PostAsync("/fhir/Flag", flag);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadAsAsync<Flag>()).Id!;
    }
}
