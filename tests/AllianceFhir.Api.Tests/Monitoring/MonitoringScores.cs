using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Monitoring;

/// <summary>Score Observations as a client writes them directly, and what the rules made of a patient's scores, read back.</summary>
public static class MonitoringScores
{
    public const string ScoreSystem = "http://alliancefhir.org/fhir/CodeSystem/alliance-score";
    public const string FlagSystem = "http://alliancefhir.org/fhir/monitoring-flag";
    public const string ChangeCode = "ors-change-intake";

    /// <summary>A score as an EHR that scores on its own side would send it: code, subject, time and a {score} quantity.</summary>
    public static Observation Score(string patient, string code, decimal value, string effective, string? encounter = null) => new()
    {
        Status = ObservationStatus.Final,
        Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "survey")],
        Code = new CodeableConcept(ScoreSystem, code),
        Subject = new ResourceReference($"Patient/{patient}"),
        Encounter = encounter is null ? null : new ResourceReference($"Encounter/{encounter}"),
        Effective = new FhirDateTime(effective),
        Value = new Quantity { Value = value, Unit = "{score}", System = "http://unitsofmeasure.org", Code = "{score}" },
    };

    public static Task<List<Flag>> FlagsAsync(HttpClient client, string patient) =>
        SearchAsync<Flag>(client, $"Flag?patient=Patient/{patient}&identifier={FlagSystem}|");

    public static Task<List<Observation>> ChangesAsync(HttpClient client, string patient) =>
        SearchAsync<Observation>(client, $"Observation?subject=Patient/{patient}&code={ScoreSystem}|{ChangeCode}&_sort=date");

    public static async Task<List<T>> SearchAsync<T>(HttpClient client, string url)
        where T : Resource
    {
        using var response = await client.GetAsync($"/fhir/{url}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadAsAsync<Bundle>()).Entry.Select(e => e.Resource).OfType<T>().ToList();
    }

    public static string Rule(Flag flag) => flag.Code!.Coding.Single().Code!;

    public static List<string> Details(Flag flag) =>
        flag.GetExtensions("http://hl7.org/fhir/StructureDefinition/flag-detail").Select(e => ((ResourceReference)e.Value!).Reference!).ToList();

    public static string? ResolvedBy(Flag flag) =>
        (flag.GetExtension("http://alliancefhir.org/fhir/StructureDefinition/flag-resolved-by")?.Value as ResourceReference)?.Reference;

    /// <summary>
    /// A patient's Flags and change Observations with every Observation they point at named by its code and time instead
    /// of its id, sorted: two patients given the same series by different paths must read the same.
    /// </summary>
    public static async Task<List<string>> OutcomesAsync(HttpClient client, string patient)
    {
        var observations = (await SearchAsync<Observation>(client, $"Observation?subject=Patient/{patient}&_count=500"))
            .ToDictionary(o => $"Observation/{o.Id}", o => $"{o.Code.Coding.First().Code}@{((FhirDateTime)o.Effective!).Value}");
        string Name(string? reference) => reference is null ? "-" : observations.GetValueOrDefault(reference, "unknown " + reference);

        var outcomes = (await FlagsAsync(client, patient)).Select(f =>
            $"flag {Rule(f)} {f.Status} '{f.Code!.Text}' {f.Period?.Start}..{f.Period?.End} because [{string.Join(", ", Details(f).Select(Name))}] resolved by {Name(ResolvedBy(f))}");
        var changes = (await ChangesAsync(client, patient)).Select(o =>
            $"change {((FhirDateTime)o.Effective!).Value} {((Quantity)o.Value!).Value} {o.Interpretation.Single().Coding.Single().Code} {o.Status} from [{string.Join(", ", o.DerivedFrom.Select(r => Name(r.Reference)))}]");
        return [.. outcomes.Concat(changes).Order(StringComparer.Ordinal)];
    }
}
