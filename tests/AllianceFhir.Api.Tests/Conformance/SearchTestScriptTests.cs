using AllianceFhir.Testing;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Xunit.Abstractions;

namespace AllianceFhir.Api.Tests.Conformance;

/// <summary>
/// The search TestScripts of fhir-crucible/testscript-engine against the real server. Their user-supplied variables
/// (a family and given name, a code and status "known on the target system") are filled in from the scripts' own
/// fixtures, as a tester would.
/// </summary>
public sealed class SearchTestScriptTests(FhirApplication app, ITestOutputHelper output) : IClassFixture<FhirApplication>
{
    private static readonly FhirJsonDeserializer Lenient = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    public static TheoryData<string> Scripts => new() { "search_testscript.json", "search_testscript_obs.json" };

    private static readonly Dictionary<string, string> KnownValues = new(StringComparer.Ordinal)
    {
        ["PatientSearchFamilyName"] = "Chalmers",
        ["PatientSearchGivenName"] = "Peter",
        ["ObservationSearchCode"] = "15074-8",
        ["ObservationSearchStatus"] = "final",
    };

    /// <summary>
    /// Asserts that fail for a reason in the script, not the server. The Observation variant (removed upstream later)
    /// still searches Observation by the Patient parameters family and given; R4 has the server ignore them and report
    /// that in an outcome entry, which Bundle.total (matches only, by definition) does not count — so the script's
    /// "total ≥ entry.count()" cannot hold for a conformant lenient server.
    /// </summary>
    private static readonly Dictionary<string, string[]> KnownDeviations = new(StringComparer.Ordinal)
    {
        ["search_testscript_obs.json"] = ["Bundle.total.toInteger() >= entry.count()"],
    };

    [SkippableTheory]
    [MemberData(nameof(Scripts))]
    public async Task Search_test_script_passes(string file)
    {
        var folder = ConformanceData.Require(Path.Combine("server-conformance", "testscript-engine", "TestScripts"));

        var script = (TestScript)Lenient.DeserializeResource(await File.ReadAllTextAsync(Path.Combine(folder, file)));
        var runner = new TestScriptRunner(app.CreateClient(), folder, KnownValues);

        await runner.RunAsync(script);

        runner.Log.ForEach(output.WriteLine);
        runner.Warnings.ForEach(w => output.WriteLine("warning: " + w));
        runner.Failures.ForEach(f => output.WriteLine("failure: " + f));
        Assert.True(runner.Log.Count >= 3, "the script should have run its operations");
        var expected = KnownDeviations.GetValueOrDefault(file, []);
        Assert.All(runner.Failures, f => Assert.Contains(expected, e => f.Contains(e, StringComparison.Ordinal)));
        Assert.Equal(expected.Length, runner.Failures.Count);
    }
}
