using System.Text;
using System.Text.Json.Nodes;
using AllianceFhir.Core.Serialization;
using CsCheck;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Fuzz;

/// <summary>
/// Generates malformed requests from valid seeds. CsCheck draws a recipe of small integers (which seed, which
/// mutation, where, what); building the request from it is deterministic, so a failure shrinks to a small recipe and
/// reproduces from the seed CsCheck prints.
/// </summary>
public static class Mutations
{
    private const int RecipeLength = 8;

    /// <summary>Text that has broken parsers: structure, escapes, numbers beyond every range, control characters.</summary>
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "\"", ",", ":", "null", "true", "-0", "1e999", "-1e-999",
        "7.9228162514264337593543950335e28", "123456789012345678901234567890.5", "\\u0000", "\\u0001", "\\ud800",
        "\\udfff\\ud800", "\u0000", "\u0007", "\"resourceType\":\"Resource\"", "\"resourceType\":\"DomainResource\"",
        "\"resourceType\":\"Bundle\"", "\"id\":\"../../etc\"", "\"meta\":{\"versionId\":\"-1\"}", "<", ">", "&", "&amp;",
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>", "&e;", "<![CDATA[x]]>", "<?xml version=\"1.0\"?>",
        "\"reference\":\"Patient/../../x\"", "\"reference\":\"urn:uuid:nope\"", "\"value\":\"\"", "\"extension\":[]",
        "2026-02-30", "2026-13-01T25:61:00Z", "9999-12-31T23:59:59.9999999+14:00", new string('x', 70_000), "é", "\uFFFF",
    ];

    private static readonly JsonNode?[] Values =
    [
        null, JsonValue.Create(""), JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(long.MaxValue),
        JsonValue.Create(double.MaxValue), JsonValue.Create(true), JsonValue.Create("\u0000"), JsonValue.Create("a\ud800b"),
        JsonValue.Create(new string('z', 5_000)), JsonValue.Create("Patient/does-not-exist"), new JsonArray(),
        new JsonObject(), new JsonArray(JsonValue.Create(1), JsonValue.Create("x")),
        new JsonObject { ["resourceType"] = "Patient" }, JsonValue.Create("2026-02-30"),
    ];

    private static readonly string?[] Accepts =
    [
        null, "application/fhir+json", "application/fhir+xml", "application/json", "text/html", "*/*", "bogus",
        "application/fhir+json;q=0", "application/fhir+xml;fhirVersion=3.0", ";;;", "text/*, application/*;q=0.1",
        "application/fhir+json; fhirVersion=4.0", "application/fhir+xml;q=abc", "*/*;q=0", "application/fhir+turtle", ",",
        "application/fhir+json, application/fhir+xml;q=0.9", "application/fhir+ndjson", "application/xml;q=1.5",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/fhir+json", "application/fhir+xml", "application/json", "application/xml", "text/plain",
        "application/fhir+json; charset=latin1", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
        "", "application/fhir+json; fhirVersion=5.0", "application/fhir+json; charset=utf-16", "APPLICATION/FHIR+JSON",
        "application/fhir+xml; charset=\"utf-8\"", "application/fhir+json; fhirVersion=4.0", "application/json-patch+json",
        "application/fhir+ndjson", "*/*", "application/fhir+json, application/fhir+xml", "application/fhir+json;;", "/",
    ];

    private static readonly (string Name, string Value)[] ExtraHeaders =
    [
        ("If-Match", "W/\"1\""), ("If-Match", "W/\"abc\""), ("If-Match", "\"99999999999999999999\""),
        ("If-None-Match", "*"), ("If-None-Match", "W/\""), ("If-Modified-Since", "yesterday"),
        ("If-None-Exist", "identifier=http://clinic.example.org/mrn|fuzz-1"), ("If-None-Exist", "=&=&"),
        ("If-None-Exist", "name:contains="), ("If-None-Exist", "_has:Observation:subject:code=x"),
        ("Prefer", "return=OperationOutcome"), ("Prefer", "return=minimal"), ("Prefer", "handling=strict"),
        ("Prefer", "respond-async"), ("Prefer", "return=\u00ff"), ("X-HTTP-Method-Override", "DELETE"),
        ("If-Match", "*"), ("If-Match", "W/\"1\", W/\"2\""), ("If-Match", "W/\"0\""), ("If-Match", "\"1\""),
        ("If-None-Match", "W/\"1\""), ("If-None-Match", "\"*\""), ("If-None-Match", "W/\"1\", *"),
        ("If-Modified-Since", "Fri, 31 Dec 9999 23:59:59 GMT"), ("If-Modified-Since", "Mon, 01 Jan 0001 00:00:00 GMT"),
        ("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"), ("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 +1400"),
        ("If-None-Exist", "subject:Patient.name=Fuzz"), ("If-None-Exist", "general-practitioner:Practitioner.name=x"),
        ("If-None-Exist", "_include=Patient:link"), ("If-None-Exist", "_revinclude=Observation:subject"),
        ("If-None-Exist", "_has:Observation:subject:_has:Observation:subject:code=1"), ("If-None-Exist", "identifier=|"),
        ("If-None-Exist", "_id=fuzz-patient"), ("If-None-Exist", "_lastUpdated=gt9999-12-31T23:59:59Z"), ("If-None-Exist", "Patient?name=Fuzz"),
        ("Prefer", "return=minimal, return=representation"), ("Prefer", "handling=lenient"), ("Prefer", "respond-async, return=minimal"),
        ("Prefer", "return=representation; handling=strict"), ("Prefer", "return"), ("X-Forwarded-Host", "[::1"),
        ("X-Forwarded-Proto", "javascript"), ("X-Forwarded-Prefix", "/../x"), ("Forwarded", "for=\"[::1\";proto=x"),
        ("Accept-Charset", "latin1"), ("Accept-Encoding", "br;q=abc"), ("If-Match", "W/\"1"), ("If-Match", "1"),
        ("If-None-Match", "W/\"1"), ("If-None-Match", "W/\"1\" W/\"2\""),
    ];

    private static readonly string[] QueryValues =
    [
        "", "%", "%00", "%zz", "%C3%28", "eq", "ge", "gt-1", "1e999", "7.9228162514264337593543950335e28",
        "2026-02-30", "9999999999", "-1", "a|b|c|d", "|", "$", "$$", "Patient/", "Patient/../../x", "http://x|", ":",
        "*", "**", "x:y:z", new string('a', 10_000), string.Join(',', Enumerable.Range(0, 600).Select(i => $"v{i}")),
        "\u0000", "%E2%80%AE", "ap1.5", "sa2026", "eb", "le1990-01-01T10:00:00Z",
        "Patient:general-practitioner", "Patient:general-practitioner:Practitioner", "Observation:subject:Patient", "Observation:*",
        "QuestionnaireResponse:subject", "Patient:link:Patient", "Observation:subject:Nonsense", "Nonsense:subject", "Patient:",
        ":subject", "Patient.name", "9999", "eq9999-12-31T23:59:59Z", "gt9999-12-31T23:59:59.9999999+14:00", "ap0001",
        "1e400", "79228162514264337593543950336", "-79228162514264337593543950335.5", "8867-4$gt1e400", "a$b$c", "$gt70",
        "gt9999", "lt0001", "sa9999-12", "9999-12-31T23:59:60Z", "0001-01-01T00:00:00-14:00", "ge9999-12-31T23:59:59.9999999Z",
    ];

    private static readonly string[] QueryNames =
    [
        "_count", "_sort", "_include", "_revinclude", "_summary", "_elements", "_total", "_format", "_pretty",
        "_since", "_has:Observation:subject:code", "subject:Patient.name", "name:exact", "name:contains",
        "identifier:missing", "code:not", "code:text", "subject:identifier", "_id", "_lastUpdated", "unknown-param",
        "name:bogus-modifier", "_has", "_has:::", "subject:Patient.organization:Organization.name", "_count:x",
        "_include:iterate", "value-quantity", "_cursor", "_page_token",
        "_revinclude:iterate", "_include:recurse", "subject:Patient.general-practitioner:Practitioner.name", "subject.name",
        "subject:Nonsense.name", "subject:Patient.", "_has:Observation:subject:_has:Observation:subject:code", "patient._id",
        "subject:Patient.link:Patient.link:Patient.name", "code-value-quantity", "component-code-value-quantity", "date",
        "birthdate", "_lastUpdated:missing", "max", "patient", "_typeFilter", "_type",
    ];

    public static Gen<FuzzRequest> Requests(IReadOnlyList<(string Method, string Url, Resource Body)> writes) =>
        Gen.Int[0, int.MaxValue].Array[RecipeLength].Select(recipe => Build(recipe, writes));

    private static FuzzRequest Build(int[] r, IReadOnlyList<(string Method, string Url, Resource Body)> writes) =>
        (r[0] % 20) switch
        {
            < 9 => MutatedBody(r, writes),
            < 11 => ReshapedBody(r, writes),
            < 12 => MutatedBundleEntry(r, writes),
            < 16 => MutatedSearch(r),
            < 17 => DeepNesting(r),
            _ => WithOddHeaders(r, writes),
        };

    /// <summary>A well-formed body with one element of the wrong shape (see <see cref="ShapeMutations"/>).</summary>
    private static FuzzRequest ReshapedBody(int[] r, IReadOnlyList<(string Method, string Url, Resource Body)> writes)
    {
        var (method, url, resource) = writes[r[1] % writes.Count];
        var xml = r[2] % 4 == 0;
        var text = xml
            ? ShapeMutations.ReshapeXml(FhirSerialization.XmlSerializer.SerializeToString(resource), r[3], r[4])
            : ShapeMutations.ReshapeJson(FhirSerialization.JsonSerializer.SerializeToString(resource), r[3], r[4]);
        return new FuzzRequest(method, url, Encoding.UTF8.GetBytes(text), xml ? "application/fhir+xml" : "application/fhir+json", Headers(r[5], r[6]));
    }

    /// <summary>A Bundle seed with one entry's addressing made odd (see <see cref="BundleMutations"/>).</summary>
    private static FuzzRequest MutatedBundleEntry(int[] r, IReadOnlyList<(string Method, string Url, Resource Body)> writes)
    {
        var bundles = writes.Where(w => w.Body is Bundle).ToList();
        var (method, url, resource) = bundles[r[1] % bundles.Count];
        var text = BundleMutations.Mutate(FhirSerialization.JsonSerializer.SerializeToString(resource), r[2], r[3], r[4]);
        if (r[5] % 4 == 0)
        {
            text = BundleMutations.Mutate(text, r[6], r[5] / 4, r[7]);
        }

        return new FuzzRequest(method, url, Encoding.UTF8.GetBytes(text), "application/fhir+json", Headers(r[7], 1));
    }

    private static FuzzRequest MutatedBody(int[] r, IReadOnlyList<(string Method, string Url, Resource Body)> writes)
    {
        var (method, url, resource) = writes[r[1] % writes.Count];
        var xml = r[2] % 3 == 0;
        var text = xml
            ? FhirSerialization.XmlSerializer.SerializeToString(resource)
            : FhirSerialization.JsonSerializer.SerializeToString(resource);
        var body = (r[3] % 9) switch
        {
            0 => FlipByte(Encoding.UTF8.GetBytes(text), r[4], r[5]),
            1 => Encoding.UTF8.GetBytes(text[..(r[4] % (text.Length + 1))]),
            2 => Encoding.UTF8.GetBytes(text.Insert(r[4] % (text.Length + 1), Pick(Tokens, r[5]))),
            3 => Encoding.UTF8.GetBytes(xml ? text : ReplaceJsonValue(text, r[4], r[5])),
            4 => InsertInvalidUtf8(Encoding.UTF8.GetBytes(text), r[4], r[5]),
            5 => Encoding.UTF8.GetBytes(text.Remove(r[4] % text.Length, Math.Min(r[5] % 40, text.Length - (r[4] % text.Length)))),
            6 => Encoding.UTF8.GetBytes(text + text),
            7 => Encoding.UTF8.GetBytes(xml ? text.Replace("<Patient", "<Resource", StringComparison.Ordinal) : ReplaceResourceType(text, r[5])),
            _ => Encoding.UTF8.GetBytes(Pick(Tokens, r[4]) + text + Pick(Tokens, r[5])),
        };
        var contentType = r[6] % 5 == 0 ? Pick(ContentTypes, r[7]) : xml ? "application/fhir+xml" : "application/fhir+json";
        return new FuzzRequest(method, url, body, contentType, Headers(r[7], 0));
    }

    private static FuzzRequest MutatedSearch(int[] r)
    {
        var query = Pick(FuzzSeeds.Searches, r[1]);
        var name = Pick(QueryNames, r[2]);
        var value = Pick(QueryValues, r[3]);
        var mutated = (r[4] % 4) switch
        {
            0 => $"{query}&{name}={value}",
            1 => query[..Math.Max(query.IndexOf('=', StringComparison.Ordinal) + 1, 1)] + value,
            2 => $"{query}&{name}={value}&{Pick(QueryNames, r[5])}={Pick(QueryValues, r[6])}",
            _ => query.Insert(r[5] % (query.Length + 1), Pick(QueryValues, r[6])),
        };
        var method = r[7] % 6 == 0 ? "POST" : "GET";
        if (method == "POST" && mutated.Split('?') is [var path, var form] && !path.Contains('$', StringComparison.Ordinal))
        {
            return new FuzzRequest("POST", $"/fhir/{path}/_search", Encoding.UTF8.GetBytes(form),
                "application/x-www-form-urlencoded", Headers(r[7], 1));
        }

        return new FuzzRequest("GET", $"/fhir/{mutated}", null, null, Headers(r[7], 1));
    }

    /// <summary>Nesting that overflowed a recursive parser's stack: extensions within extensions, or bare arrays.</summary>
    private static FuzzRequest DeepNesting(int[] r)
    {
        var depth = (r[1] % 4) switch { 0 => 40 + (r[2] % 60), 1 => 500 + (r[2] % 1_500), 2 => 5_000 + (r[2] % 5_000), _ => 20_000 };
        var xml = r[3] % 2 == 0;
        var builder = new StringBuilder();
        if (xml)
        {
            builder.Append("<Patient xmlns=\"http://hl7.org/fhir\">");
            for (var i = 0; i < depth; i++) builder.Append("<extension url=\"http://example.org/e\">");
            builder.Append("<valueString value=\"x\"/>");
            for (var i = 0; i < depth; i++) builder.Append("</extension>");
            builder.Append("</Patient>");
        }
        else if (r[4] % 2 == 0)
        {
            builder.Append("{\"resourceType\":\"Patient\",\"extension\":[");
            for (var i = 0; i < depth; i++) builder.Append("{\"url\":\"http://example.org/e\",\"extension\":[");
            builder.Append("{\"url\":\"http://example.org/e\",\"valueString\":\"x\"}");
            for (var i = 0; i < depth; i++) builder.Append("]}");
            builder.Append("]}");
        }
        else
        {
            builder.Append("{\"resourceType\":\"Patient\",\"name\":");
            builder.Append('[', depth).Append(']', depth).Append('}');
        }

        var url = (r[5] % 4) switch { 0 => "/fhir", 1 => "/fhir/QuestionnaireResponse/$validate", 2 => "/fhir/Questionnaire/srs/$populate", _ => "/fhir/Patient" };
        return new FuzzRequest("POST", url, Encoding.UTF8.GetBytes(builder.ToString()),
            xml ? "application/fhir+xml" : "application/fhir+json", Headers(r[6], 2));
    }

    private static FuzzRequest WithOddHeaders(int[] r, IReadOnlyList<(string Method, string Url, Resource Body)> writes)
    {
        var (method, url, resource) = writes[r[1] % writes.Count];
        var body = FhirSerialization.JsonSerializer.SerializeToBytes(resource);
        var query = r[2] % 3 == 0 ? $"{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}_format={Pick(["xml", "json", "bogus", "text/html", "application/fhir+xml", ""], r[3])}" : "";
        return new FuzzRequest(method, url + query, body, Pick(ContentTypes, r[4]), Headers(r[5], r[6]));
    }

    private static List<KeyValuePair<string, string>> Headers(int choice, int extra)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (Pick(Accepts, choice) is { } accept)
        {
            headers.Add(new("Accept", accept));
        }

        if (extra % 3 == 0)
        {
            var (name, value) = Pick(ExtraHeaders, choice / 7);
            headers.Add(new(name, value));
            if (extra % 2 == 0)
            {
                var (second, secondValue) = Pick(ExtraHeaders, extra / 6);
                headers.Add(new(second, secondValue));
            }
        }

        return headers;
    }

    private static byte[] FlipByte(byte[] bytes, int position, int value)
    {
        bytes[position % bytes.Length] = (byte)value;
        return bytes;
    }

    private static byte[] InsertInvalidUtf8(byte[] bytes, int position, int choice)
    {
        byte[][] invalid = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]];
        var at = position % (bytes.Length + 1);
        return [.. bytes[..at], .. Pick(invalid, choice), .. bytes[at..]];
    }

    /// <summary>Keeps the document well-formed so the mutation reaches the FHIR parser and the business rules.</summary>
    private static string ReplaceJsonValue(string json, int which, int value)
    {
        var root = JsonNode.Parse(json)!;
        var nodes = new List<JsonNode>();
        ShapeMutations.Collect(root, nodes);
        var target = nodes[which % nodes.Count];
        var replacement = Pick(Values, value)?.DeepClone();
        if (!ShapeMutations.Replace(target, replacement))
        {
            return replacement?.ToJsonString() ?? "null";
        }

        return root.ToJsonString();
    }

    private static string ReplaceResourceType(string json, int choice)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        root["resourceType"] = Pick<JsonNode?>(["Resource", "DomainResource", "Nonsense", "", null, 42, new JsonArray(), "Bundle", "Parameters", "Observation"], choice)?.DeepClone();
        return root.ToJsonString();
    }

    private static T Pick<T>(IReadOnlyList<T> items, int index) => items[(int)((uint)index % (uint)items.Count)];
}
