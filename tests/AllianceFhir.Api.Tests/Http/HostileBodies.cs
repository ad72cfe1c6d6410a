using System.Net;
using System.Text;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Http;

/// <summary>Bodies built as text (a serializer would refuse or repair them) and the checks every refusal shares.</summary>
public static class HostileBodies
{
    public static string NestedExtensionsJson(int levels)
    {
        var inner = new StringBuilder("""{"url":"http://example.org/x","valueString":"v"}""");
        for (var i = 1; i < levels; i++)
        {
            inner.Insert(0, """{"url":"http://example.org/x","extension":[""").Append("]}");
        }

        return $$"""{"resourceType":"Patient","extension":[{{inner}}]}""";
    }

    public static string NestedExtensionsXml(int levels)
    {
        var inner = new StringBuilder("""<extension url="http://example.org/x"><valueString value="v"/></extension>""");
        for (var i = 1; i < levels; i++)
        {
            inner.Insert(0, """<extension url="http://example.org/x">""").Append("</extension>");
        }

        return $"""<Patient xmlns="http://hl7.org/fhir">{inner}</Patient>""";
    }

    /// <summary>A Patient whose extensions nest <paramref name="levels"/> deep, so the resource is levels + 1 deep.</summary>
    public static Patient NestedExtensionsPatient(int levels)
    {
        var extension = new Extension("http://example.org/x", new FhirString("v"));
        for (var i = 1; i < levels; i++)
        {
            extension = new Extension { Url = "http://example.org/x", Extension = [extension] };
        }

        return new Patient { Extension = [extension] };
    }

    public static ByteArrayContent Body(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return content;
    }

    public static StringContent XmlBody(string xml) => new(xml, Encoding.UTF8, FhirHttp.Xml);

    public static StringContent XmlBody(Resource resource) => XmlBody(FhirSerialization.XmlSerializer.SerializeToString(resource));

    /// <summary>How many versions of data the server holds (AuditEvents aside): system history sees every write, seeded or not.</summary>
    public static async Task<int> StoredVersionsAsync(this HttpClient client)
    {
        // Every page: the AuditEvents of the test's own requests (refused ones included) share system history with the
        // client's data, and are not what "nothing was stored" is about.
        var count = 0;
        string? url = "/fhir/_history?_count=1000";
        while (url is not null)
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.ReadAsAsync<Bundle>();
            count += page.Entry.Count(e => e.Request?.Url?.StartsWith("AuditEvent", StringComparison.Ordinal) != true);
            url = page.Link.FirstOrDefault(l => l.Relation == "next")?.Url;
        }

        return count;
    }

    /// <summary>The refusal a client relies on: 400, an OperationOutcome saying why, and the server still answering.</summary>
    public static async Task<OperationOutcome> AssertRefusedAsync(this HttpResponseMessage response, HttpClient client, string because)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueSeverity.Error, outcome.Issue[0].Severity);
        Assert.Contains(because, outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        using var alive = await client.GetAsync("/fhir/metadata");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        return outcome;
    }
}
