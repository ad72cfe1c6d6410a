using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Testing;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Xunit.Abstractions;

namespace AllianceFhir.Api.Tests.Conformance;

/// <summary>
/// The official R4 examples (hl7.fhir.r4.examples 4.0.1) of every supported type: each is stored with its own id,
/// read back as JSON and as XML, and must come back equal to what was sent except for the server's meta.
/// </summary>
public sealed class R4ExampleRoundTripTests(ITestOutputHelper output) : IDisposable
{
    private readonly FhirApplication _app = new();
    private readonly List<(string File, string Type, string Text)> _invalid = [];

    [Fact]
    public async Task Every_supported_example_round_trips_unchanged()
    {
        var folder = ConformanceData.RequireOrExplain("r4-examples", output);
        if (folder is null)
        {
            return;
        }

        var client = _app.CreateClient();
        var examples = LoadExamples(folder);
        Assert.NotEmpty(examples);

        // Questionnaires first: responses that name one are checked against it. A response naming a Questionnaire
        // that is not among the examples (QuestionnaireResponse/ussg-fht-answers names Questionnaire/ussg-fht, which
        // R4 never published) must be refused with 422, not stored unchecked.
        var questionnaires = examples.Select(e => e.Resource).OfType<Questionnaire>()
            .SelectMany(q => new[] { $"Questionnaire/{q.Id}", q.Url }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var roundTripped = 0;
        var refused = 0;
        foreach (var (file, resource) in examples.OrderBy(e => e.Resource is QuestionnaireResponse ? 1 : 0))
        {
            resource.Meta = null;
            using var put = await client.PutAsync($"/fhir/{resource.TypeName}/{resource.Id}", resource);
            if (resource is QuestionnaireResponse { Questionnaire: { } canonical } && !questionnaires.Contains(canonical.Split('|')[0]))
            {
                Assert.True(put.StatusCode == HttpStatusCode.UnprocessableEntity, $"{file}: names unknown {canonical} but was answered {(int)put.StatusCode}");
                Assert.Contains("QuestionnaireResponse.questionnaire", (await put.ReadAsAsync<OperationOutcome>()).Issue[0].Expression);
                refused++;
                continue;
            }

            Assert.True(put.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{file}: PUT answered {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");

            // Everything the server accepts must be readable in every format it offers (issue 9: stored resources
            // that could not be written as XML broke reads, history and search).
            foreach (var mediaType in new[] { FhirHttp.Json, FhirHttp.Xml })
            {
                using var get = new HttpRequestMessage(HttpMethod.Get, $"/fhir/{resource.TypeName}/{resource.Id}");
                get.Headers.Accept.Add(FhirHttp.Accept(mediaType));
                using var read = await client.SendAsync(get);
                Assert.True(read.StatusCode == HttpStatusCode.OK, $"{file}: GET as {mediaType} answered {(int)read.StatusCode}");
                Assert.Equal(mediaType, read.Content.Headers.ContentType?.MediaType);
                var stored = await read.ReadAsAsync<Resource>();
                stored.Meta = null;
                TakeEquivalentNarratives(resource, stored);
                Assert.True(resource.IsExactly(stored), $"{file}: the stored resource read as {mediaType} differs from the example");
            }

            roundTripped++;
        }

        foreach (var (file, type, text) in _invalid)
        {
            using var post = await client.PostAsync($"/fhir/{type}", FhirHttp.JsonBody(text));
            Assert.True(post.StatusCode == HttpStatusCode.BadRequest, $"{file}: invalid R4 was answered {(int)post.StatusCode}, not 400");
        }

        output.WriteLine($"Round-tripped {roundTripped} R4 examples of supported types; {refused} responses to unknown questionnaires were refused with 422; {_invalid.Count} invalid ones were refused with 400.");
    }

    /// <summary>Resources of supported types from the example folders, including entries of the example Bundles.</summary>
    private List<(string File, Resource Resource)> LoadExamples(string folder)
    {
        var result = new List<(string, Resource)>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(folder, path);
            var text = File.ReadAllText(path);
            if (!IsResource(text))
            {
                continue; // package.json, index.json: descriptions of the folder, not examples
            }

            Resource? resource;
            try
            {
                resource = FhirSerialization.JsonDeserializer.DeserializeResource(text);
            }
            catch (DeserializationFailedException ex)
            {
                // Some published examples break R4's own rules; the server must refuse those, not store them.
                output.WriteLine($"{name}: not valid R4 ({ex.Exceptions.First().Message}); must be refused.");
                var type = ex.PartialResult?.TypeName;
                if (type is not null && SupportedResourceTypes.IsSupported(type))
                {
                    _invalid.Add((name, type, text));
                }

                continue;
            }

            var candidates = resource is Bundle bundle ? bundle.Entry.Select(e => e.Resource).OfType<Resource>() : [resource];
            foreach (var candidate in candidates)
            {
                if (SupportedResourceTypes.IsSupported(candidate.TypeName) && candidate.Id is not null)
                {
                    result.Add(($"{name}#{candidate.TypeName}/{candidate.Id}", candidate));
                }
            }
        }

        return result;
    }

    /// <summary>
    /// XHTML read from XML is the same markup written anew (<c>&amp;quot;</c> becomes <c>"</c>); where the two divs are
    /// equal as XML, the stored one takes the example's text so that IsExactly compares everything else.
    /// </summary>
    private static void TakeEquivalentNarratives(Resource expected, Resource actual)
    {
        var sent = expected.Select("descendants()").OfType<Narrative>().ToList();
        var read = actual.Select("descendants()").OfType<Narrative>().ToList();
        foreach (var (from, into) in sent.Zip(read))
        {
            if (from.Div is not null && into.Div is not null
                && System.Xml.Linq.XNode.DeepEquals(System.Xml.Linq.XElement.Parse(from.Div), System.Xml.Linq.XElement.Parse(into.Div)))
            {
                into.Div = from.Div;
            }
        }
    }

    private static bool IsResource(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
            && document.RootElement.TryGetProperty("resourceType", out _);
    }

    public void Dispose() => _app.Dispose();
}
