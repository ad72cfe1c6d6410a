using System.Text.Json.Nodes;

namespace AllianceFhir.Api.Tests.Fuzz;

/// <summary>
/// Bundle entries whose addressing is odd but well-typed: fullUrl and request.url (relative, absolute, other servers,
/// operations, history, searches with chains and includes), conditional headers, methods, and entries that lose or
/// gain parts. Each reaches the entry parser and reference rewriting, past the JSON parser.
/// </summary>
public static class BundleMutations
{
    private static readonly string[] Urls =
    [
        "", "urn:uuid:0b2f5a8e-8f57-4a8e-9d43-6a1f3c1c2b11", "urn:uuid:0B2F5A8E-8F57-4A8E-9D43-6A1F3C1C2B11", "urn:oid:1.2.3",
        $"Patient/{FuzzSeeds.PatientId}", "Patient/", "Patient", "Patient?", "Patient?identifier=", "Patient?_id=fuzz-patient",
        "Patient?_include=Patient:general-practitioner", "Patient?_revinclude=Observation:subject", "Patient?_has:Observation:subject:code=8867-4",
        "Observation?subject:Patient.name=Fuzz", "Observation?subject:Patient.general-practitioner:Practitioner.name=x", "Patient/$validate",
        $"Patient/{FuzzSeeds.PatientId}/_history/1", $"Patient/{FuzzSeeds.PatientId}/_history/99999999999", "Patient/_history",
        "_history", "metadata", "/fhir/Patient", "../Patient", "Patient/../Observation", "http://localhost/fhir/Patient/fuzz-patient",
        "http://other.example/fhir/Patient/1", "https://localhost/fhir/Patient", "http://localhost/fhir", "Patient/#", "Patient/a?b#c",
        "Patient/%2e%2e", "Patient/ü", "?", "&", "Patient?&&&", "Patient?name=%zz", "Patient?name:contains=", "Patient?_count=1&_sort=-name",
        "Questionnaire/srs/$populate?subject=Patient/fuzz-patient", "Observation/$lastn?patient=Patient/fuzz-patient",
        $"Patient/{FuzzSeeds.PatientId}/$alliance-summary", "Patient/" + new string('a', 65), "Patient/a\tb", "Resource/1", "DomainResource/1",
    ];

    private static readonly string[] Conditions =
    [
        "", "identifier=http://clinic.example.org/mrn|fuzz-1", "Patient?identifier=fuzz-1", "_id=fuzz-patient", "_id=", "name:missing=true",
        "general-practitioner:Practitioner.name=x", "_has:Observation:subject:code=8867-4", "_include=Patient:link", "_count=0", "_sort=name",
        "birthdate=ge9999-12-31T23:59:59Z", "identifier=|", "%", "=", "&&", "_lastUpdated=gt0001-01-01",
    ];

    private static readonly string[] ETags = ["W/\"1\"", "W/\"0\"", "*", "W/\"99999999999999999999\"", "\"1\"", "W/\"1\", W/\"2\"", "", "W/\""];

    private static readonly string[] Instants = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2026-03-02T10:00:00+14:00", "2026-03-02T10:00:00.1234567Z"];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"];

    private static readonly string[] Types = ["transaction", "batch", "collection", "document", "searchset", "history", "message", "transaction-response"];

    /// <summary>One entry's addressing (or the Bundle's type) replaced; the rest of the Bundle stays as the seed has it.</summary>
    public static string Mutate(string json, int which, int field, int value)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        if (root["entry"] is not JsonArray { Count: > 0 } entries)
        {
            return json;
        }

        var entry = entries[which % entries.Count]!.AsObject();
        var request = entry["request"] as JsonObject ?? new JsonObject();
        entry["request"] = request;
        switch (field % 11)
        {
            case 0:
                entry["fullUrl"] = Pick(Urls, value);
                break;
            case 1:
            case 2:
                request["url"] = Pick(Urls, value);
                break;
            case 3:
                request["ifNoneExist"] = Pick(Conditions, value);
                break;
            case 4:
                request["ifMatch"] = Pick(ETags, value);
                break;
            case 5:
                request["ifNoneMatch"] = Pick(ETags, value);
                break;
            case 6:
                request["ifModifiedSince"] = Pick(Instants, value);
                break;
            case 7:
                request["method"] = Pick(Methods, value);
                break;
            case 8:
                root["type"] = Pick(Types, value);
                break;
            case 9:
                entry.Remove(value % 2 == 0 ? "request" : "resource");
                break;
            default:
                // A second entry with the same addressing: two writes to one identity, or two creates with one fullUrl.
                entries.Add(entry.DeepClone());
                break;
        }

        // An empty string is not a FHIR value: dropping the element keeps the mutation past the parser's own check.
        foreach (var (name, node) in request.ToList())
        {
            if (node is JsonValue text && text.TryGetValue<string>(out var s) && s.Length == 0)
            {
                request.Remove(name);
            }
        }

        if (entry["fullUrl"] is JsonValue full && full.TryGetValue<string>(out var f) && f.Length == 0)
        {
            entry.Remove("fullUrl");
        }

        if (request.Count == 0)
        {
            entry.Remove("request");
        }

        return root.ToJsonString();
    }

    private static string Pick(string[] items, int index) => items[(int)((uint)index % (uint)items.Length)];
}
