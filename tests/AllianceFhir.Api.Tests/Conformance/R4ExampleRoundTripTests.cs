using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
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

    [SkippableFact]
    public async Task Every_supported_example_round_trips_unchanged()
    {
        var folder = ConformanceData.Require("r4-examples");

        var client = _app.CreateClient();
        var examples = LoadExamples(folder);
        Assert.NotEmpty(examples);

        // Questionnaires first: responses that name one are checked against it. A response naming a Questionnaire
        // that is not among the examples (QuestionnaireResponse/ussg-fht-answers names Questionnaire/ussg-fht, which
        // R4 never published) must be refused with 422, not stored unchecked.
        var questionnaires = examples.Select(e => e.Resource).OfType<Questionnaire>()
            .SelectMany(q => new[] { $"Questionnaire/{q.Id}", q.Url }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        // The examples refer to resources outside this folder (Patient/f201, Practitioner/f007, Encounter/example, …).
        // References must resolve, so stand-ins of the types this server stores are created first under those ids, as
        // the record system an example came from would hold them. A reference to a type this server does not store
        // (QuestionnaireResponse/3141 is partOf Procedure/f201) cannot resolve: such an example must be refused with
        // 422 naming each of those references, and nothing else.
        var own = examples.Select(e => new ResourceKey(e.Resource.TypeName, e.Resource.Id!)).ToHashSet();
        var standIns = examples.SelectMany(e => LocalReferences.Of(e.Resource))
            .Select(r => new ResourceKey(r.ResourceType, r.Id))
            .Where(k => SupportedResourceTypes.IsSupported(k.ResourceType) && !own.Contains(k))
            .Distinct()
            .ToList();
        foreach (var key in standIns)
        {
            using var put = await client.PutAsync($"/fhir/{key}", StandIn(key));
            Assert.True(put.IsSuccessStatusCode, $"stand-in {key}: PUT answered {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }

        var roundTripped = 0;
        var refused = 0;
        var refusedForReferences = 0;
        foreach (var (file, resource) in examples.OrderBy(e => e.Resource is QuestionnaireResponse ? 1 : 0))
        {
            resource.Meta = null;
            var unresolvable = LocalReferences.Of(resource).Where(r => !SupportedResourceTypes.IsSupported(r.ResourceType)).ToList();
            using var put = await client.PutAsync($"/fhir/{resource.TypeName}/{resource.Id}", resource);
            if (resource is QuestionnaireResponse { Questionnaire: { } canonical } && !questionnaires.Contains(canonical.Split('|')[0]))
            {
                Assert.True(put.StatusCode == HttpStatusCode.UnprocessableEntity, $"{file}: names unknown {canonical} but was answered {(int)put.StatusCode}");
                Assert.Contains("QuestionnaireResponse.questionnaire", (await put.ReadAsAsync<OperationOutcome>()).Issue[0].Expression);
                refused++;
                continue;
            }

            if (unresolvable.Count > 0)
            {
                Assert.True(put.StatusCode == HttpStatusCode.UnprocessableEntity, $"{file}: refers to {unresolvable[0]} but was answered {(int)put.StatusCode}");
                var issues = (await put.ReadAsAsync<OperationOutcome>()).Issue;
                Assert.Equal(unresolvable.Select(r => r.Path).Order(StringComparer.Ordinal), issues.SelectMany(i => i.Expression).Order(StringComparer.Ordinal));
                using var absent = await client.GetAsync($"/fhir/{resource.TypeName}/{resource.Id}");
                Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
                refusedForReferences++;
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

        output.WriteLine($"Round-tripped {roundTripped} R4 examples of supported types (after {standIns.Count} stand-ins for what they refer to); "
            + $"{refused} responses to unknown questionnaires and {refusedForReferences} examples referring to types this server does not store "
            + $"were refused with 422; {_invalid.Count} invalid ones were refused with 400.");
        Assert.True(roundTripped > refused + refusedForReferences, "most examples must round-trip");
    }

    /// <summary>The least resource of a type that R4 accepts, under the id an example refers to.</summary>
    private static Resource StandIn(ResourceKey key)
    {
        var resource = (Resource)Activator.CreateInstance(ModelInfo.GetTypeForFhirType(key.ResourceType)!)!;
        resource.Id = key.Id;
        if (resource is Encounter encounter)
        {
            encounter.Status = Encounter.EncounterStatus.Finished;
            encounter.Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB");
        }

        return resource;
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
