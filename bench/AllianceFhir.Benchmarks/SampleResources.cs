using System.Globalization;
using System.Text;

namespace AllianceFhir.Benchmarks;

/// <summary>The payloads: a Patient of about 2 KB, the size the foundation issue measures with.</summary>
internal static class SampleResources
{
    /// <summary>How many patients and encounters the submitted responses refer to (they must exist: references are checked).</summary>
    public const int ReferencedSetSize = 1000;

    /// <summary>Stores everything <see cref="Referenced"/> lists through the server under test.</summary>
    public static async Task StoreReferencedAsync(HttpClient client)
    {
        foreach (var (path, body) in Referenced())
        {
            using var put = await client.PutAsync(path, new StringContent(body, Encoding.UTF8, "application/fhir+json"));
            put.EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// What the payloads refer to, as (path, body) for PUT: the practitioner and organization every Patient names, and
    /// the patients and encounters the responses name. The server refuses references to resources it does not hold.
    /// </summary>
    public static IEnumerable<(string Path, string Body)> Referenced()
    {
        yield return ("/fhir/Practitioner/example", """{"resourceType":"Practitioner","id":"example","name":[{"family":"Example"}]}""");
        yield return ("/fhir/Organization/example", """{"resourceType":"Organization","id":"example","name":"Example Clinic"}""");
        for (var i = 0; i < ReferencedSetSize; i++)
        {
            yield return (string.Create(CultureInfo.InvariantCulture, $"/fhir/Patient/bench-{i}"),
                string.Create(CultureInfo.InvariantCulture, $$"""{"resourceType":"Patient","id":"bench-{{i}}"}"""));
            yield return (string.Create(CultureInfo.InvariantCulture, $"/fhir/Encounter/bench-{i}"),
                string.Create(CultureInfo.InvariantCulture, $$$"""{"resourceType":"Encounter","id":"bench-{{{i}}}","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"Patient/bench-{{{i}}}"}}"""));
        }
    }

    public static string Patient(int n)
    {
        var builder = new StringBuilder(2200);
        builder.Append("""{"resourceType":"Patient","identifier":[""");
        for (var i = 0; i < 3; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $$"""{"use":"usual","system":"http://clinic.example.org/identifiers/{{i}}","value":"MRN-{{n}}-{{i}}"},""");
        }

        builder.Length--;
        builder.Append(CultureInfo.InvariantCulture, $$"""],"active":true,"name":[{"use":"official","family":"Benchmark{{n}}","given":["Alexandra","Maria"],"prefix":["Ms."]},{"use":"nickname","given":["Alex"]}],""");
        builder.Append("""
            "telecom":[{"system":"phone","value":"+31 20 555 0101","use":"home"},{"system":"phone","value":"+31 6 5555 0102","use":"mobile"},{"system":"email","value":"alex.benchmark@example.org","use":"home"}],
            "gender":"female","birthDate":"1987-06-15",
            "address":[{"use":"home","type":"both","line":["Prinsengracht 263","Apartment 4B"],"city":"Amsterdam","district":"Centrum","state":"Noord-Holland","postalCode":"1016 GV","country":"NL","period":{"start":"2019-01-01"}},
                       {"use":"work","line":["Stationsplein 1"],"city":"Amsterdam","postalCode":"1012 AB","country":"NL"}],
            "maritalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus","code":"M","display":"Married"}]},
            "contact":[{"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131","code":"N","display":"Next-of-Kin"}]}],
                        "name":{"family":"Benchmark","given":["Jordan"]},"telecom":[{"system":"phone","value":"+31 20 555 0199"}],"gender":"male"}],
            "communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"nl","display":"Dutch"}]},"preferred":true},
                             {"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"en","display":"English"}]}}],
            "generalPractitioner":[{"reference":"Practitioner/example","display":"Dr. Example"}],
            "managingOrganization":{"reference":"Organization/example","display":"Example Clinic"}}
            """);
        return builder.ToString();
    }

    /// <summary>A completed WAI-SR response (12 choice answers) for the submit scenario: validate, score, extract, persist.</summary>
    public static string WaiSrResponse(int n)
    {
        string[] codes = ["seldom", "sometimes", "fairly-often", "very-often", "always"];
        var items = string.Join(',', Enumerable.Range(1, 12).Select(i =>
            $$$"""{"linkId":"{{{i}}}","answer":[{"valueCoding":{"system":"http://alliancefhir.org/fhir/CodeSystem/alliance-answer","code":"{{{codes[(i + n) % 5]}}}"}}]}"""));
        return $$"""
            {"resourceType":"QuestionnaireResponse","questionnaire":"http://alliancefhir.org/fhir/Questionnaire/wai-sr|1.0.0",
             "status":"completed","subject":{"reference":"Patient/bench-{{n % ReferencedSetSize}}"},"encounter":{"reference":"Encounter/bench-{{n % ReferencedSetSize}}"},
             "authored":"2026-03-02T10:00:00Z","item":[{{items}}]}
            """;
    }
}
