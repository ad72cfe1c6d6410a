using AllianceFhir.Testing;
using System.Text.Json;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Xunit.Abstractions;

namespace AllianceFhir.Core.Tests.Search;

/// <summary>Checks registry and extraction against the official R4 definitions and example resources.</summary>
public class SearchConformanceTests(ITestOutputHelper output)
{
    private static readonly FhirJsonDeserializer Deserializer = new();

    // A few official examples break cardinality rules (items without linkId); indexing must cope with what
    // the parser recovers, so the partial result is what gets indexed.
    private static Resource Load(string path)
    {
        try
        {
            return Deserializer.DeserializeResource(File.ReadAllText(path));
        }
        catch (DeserializationFailedException ex) when (ex.PartialResult is Resource partial)
        {
            return partial;
        }
    }

    [SkippableFact]
    public void Registry_matches_the_official_Questionnaire_and_QuestionnaireResponse_definitions()
    {
        var folder = ConformanceData.Require(Path.Combine("r4-examples", "search-parameters"));

        // Core definitions only: the lower-case file is an extension-defined parameter, not part of R4 core.
        var files = Directory.GetFiles(folder, "SearchParameter-Questionnaire*.json");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var definition = (SearchParameter)Load(file);
            var type = definition.Base.Single()!.Value.ToString();
            Assert.True(SearchSetup.Registry.TryGet(type, definition.Code!, out var parameter), $"{type}.{definition.Code} missing");
            Assert.Equal(definition.Type, parameter.Type);
            Assert.Equal(FhirPathExpressions.NarrowToType(definition.Expression!, type), parameter.Expression);
            Assert.Equal(definition.Target.Select(t => t!.Value.ToString()).Order(), parameter.Targets.Order());
            Assert.Equal(definition.Description, parameter.Documentation);
        }

        output.WriteLine($"{files.Length} definitions match.");
    }

    [SkippableFact]
    public void Example_responses_index_subject_status_and_questionnaire_as_the_index_lists_them()
    {
        var folder = ConformanceData.Require("r4-examples");

        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "index.json")));
        var checkedResponses = 0;
        foreach (var entry in index.RootElement.EnumerateArray().Where(e => e.GetProperty("file").GetString()!.StartsWith("questionnaireresponse/", StringComparison.Ordinal)))
        {
            var resource = Load(Path.Combine(folder, entry.GetProperty("file").GetString()!));
            var values = SearchSetup.Indexer.Extract(resource);

            Assert.Contains(new TokenIndexValue("status", null, entry.GetProperty("status").GetString(), null), values);
            Assert.Contains(new TokenIndexValue("_id", null, entry.GetProperty("id").GetString(), null), values);

            var subject = entry.GetProperty("subject").GetString()!;
            var subjects = values.OfType<ReferenceIndexValue>().Where(v => v.ParamName == "subject").ToList();
            if (subject.StartsWith('#'))
            {
                Assert.Empty(subjects);
            }
            else if (subject.Contains("://", StringComparison.Ordinal))
            {
                Assert.Equal([new ReferenceIndexValue("subject", null, null, subject, null)], subjects);
            }
            else
            {
                var parts = subject.Split('/');
                Assert.Equal([new ReferenceIndexValue("subject", parts[0], parts[1], null, null)], subjects);
            }

            if (entry.GetProperty("questionnaire").GetString() is { } questionnaire)
            {
                var parts = questionnaire.Split('/');
                Assert.Contains(new ReferenceIndexValue("questionnaire", parts[0], parts[1], null, null), values);
            }

            checkedResponses++;
        }

        Assert.True(checkedResponses >= 5, $"only {checkedResponses} responses found");
    }

    [SkippableFact]
    public void Example_questionnaires_index_their_url()
    {
        var folder = ConformanceData.Require(Path.Combine("r4-examples", "questionnaire"));

        foreach (var file in Directory.GetFiles(folder, "*.json"))
        {
            var questionnaire = (Questionnaire)Load(file);
            var values = SearchSetup.Indexer.Extract(questionnaire);

            if (questionnaire.Url is not null)
            {
                Assert.Contains(new UriIndexValue("url", questionnaire.Url, null), values);
            }

            Assert.Contains(values, v => v.ParamName == "status");
        }
    }

    [SkippableFact]
    public void Every_supported_resource_in_the_example_bundles_extracts()
    {
        var folder = ConformanceData.Require(Path.Combine("r4-examples", "bundles"));

        var extracted = 0;
        foreach (var file in Directory.GetFiles(folder, "*.json"))
        {
            var bundle = (Bundle)Load(file);
            foreach (var resource in bundle.Entry.Select(e => e.Resource).Where(r => r is not null && SearchSetup.Registry.Supports(r.TypeName)))
            {
                var values = SearchSetup.Indexer.Extract(resource!);
                if (resource!.Id is not null)
                {
                    Assert.Contains(new TokenIndexValue("_id", null, resource.Id, null), values);
                }

                extracted++;
            }
        }

        output.WriteLine($"{extracted} bundled resources extracted.");
        Assert.True(extracted > 0);
    }
}
