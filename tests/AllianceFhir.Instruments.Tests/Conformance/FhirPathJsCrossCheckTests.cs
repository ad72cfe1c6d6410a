using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AllianceFhir.Instruments.Catalog;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using AllianceFhir.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Xunit.Abstractions;

namespace AllianceFhir.Instruments.Tests.Conformance;

/// <summary>
/// Scores sample responses to every catalog instrument with the server (Firely) and with the reference JavaScript
/// FHIRPath engine (npm fhirpath 5.2.2, tests/js) and requires identical numbers, so an SDC renderer shows the same
/// scores the API stores. Needs <c>npm ci</c> in tests/js (done by .ci/run).
/// </summary>
public class FhirPathJsCrossCheckTests(ITestOutputHelper output)
{
    private static readonly ScoringEngine Engine = new();

    [SkippableFact]
    public void Catalog_scores_match_the_javascript_reference_engine()
    {
        var js = Path.Combine(ConformanceData.RepositoryRoot, "tests", "js");
        if (!Directory.Exists(Path.Combine(js, "node_modules", "fhirpath")))
        {
            ConformanceData.SkipOutsideCi($"{js}/node_modules is missing; run 'npm ci --prefix tests/js'");
        }

        var cases = new JsonArray();
        var expected = new Dictionary<string, Dictionary<string, decimal?>>();
        foreach (var questionnaire in new InstrumentCatalog(new InstrumentOptions { Demo = true }).GetQuestionnaires())
        {
            foreach (var (label, response) in Samples(questionnaire))
            {
                var name = $"{questionnaire.Id} {label}";
                cases.Add(new JsonObject
                {
                    ["name"] = name,
                    ["questionnaire"] = JsonNode.Parse(FhirJsonSerializer.Default.SerializeToString(questionnaire)),
                    ["response"] = JsonNode.Parse(FhirJsonSerializer.Default.SerializeToString(response)),
                });
                var scored = (QuestionnaireResponse)response.DeepCopy();
                expected[name] = Engine.Score(questionnaire, scored).ToDictionary(v => v.Item.LinkId!, v => Number(v.Value));
            }
        }

        var results = JsonNode.Parse(RunNode(js, cases.ToJsonString()))!.AsArray();

        var compared = 0;
        foreach (var result in results)
        {
            var name = result!["name"]!.GetValue<string>();
            foreach (var (linkId, value) in result["scores"]!.AsObject())
            {
                var javascript = value is null ? (decimal?)null : decimal.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
                output.WriteLine($"{name} {linkId}: server {expected[name][linkId]}, fhirpath.js {javascript}");
                Assert.Equal(expected[name][linkId], javascript);
                compared++;
            }
        }

        output.WriteLine($"{compared} scores compared across {results.Count} responses: all equal.");
        Assert.Equal(expected.Values.Sum(v => v.Count), compared);
    }

    /// <summary>Minimum, maximum and a mixed answer set for an instrument.</summary>
    private static IEnumerable<(string Label, QuestionnaireResponse Response)> Samples(Questionnaire questionnaire)
    {
        var choices = questionnaire.Item.Where(i => i.Type == Questionnaire.QuestionnaireItemType.Choice).ToList();
        if (choices.Count > 0)
        {
            var options = choices[0].AnswerOption.Count;
            yield return ("lowest anchors", Responses.Choices(questionnaire, [.. choices.Select(_ => 0)]));
            yield return ("highest anchors", Responses.Choices(questionnaire, [.. choices.Select(_ => options - 1)]));
            yield return ("mixed", Responses.Choices(questionnaire, [.. choices.Select((_, n) => (n * 3 + 1) % options)]));
        }
        else
        {
            yield return ("min", Responses.Decimals(questionnaire, 0m, 0m, 0m, 0m));
            yield return ("max", Responses.Decimals(questionnaire, 10m, 10m, 10m, 10m));
            yield return ("below cut-off", Responses.Decimals(questionnaire, 9m, 9m, 9m, 8.9m));
            yield return ("mixed", Responses.Decimals(questionnaire, 2.3m, 7.7m, 0.1m, 9.9m));
        }
    }

    private static string RunNode(string folder, string input)
    {
        var start = new ProcessStartInfo("node", "score.js")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        node.StandardInput.Write(input);
        node.StandardInput.Close();
        Assert.True(node.WaitForExit(60_000), "node did not finish within 60 s");
        Assert.True(node.ExitCode == 0, $"node failed: {stderr.Result}");
        return stdout.Result;
    }

    private static decimal? Number(DataType? value) => value switch
    {
        Integer i => i.Value,
        FhirDecimal d => d.Value,
        null => null,
        _ => throw new InvalidOperationException($"unexpected score type {value.TypeName}"),
    };
}
