using AllianceFhir.Core.Serialization;
using AllianceFhir.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Xunit.Abstractions;

namespace AllianceFhir.Api.Tests.Bundles;

/// <summary>The official R4 example Bundles, from the external conformance data (see <see cref="ConformanceData"/>).</summary>
internal static class BundleExamples
{
    /// <summary>The folder, or null (with a message) when the data is absent outside CI.</summary>
    public static string? FolderOrExplain(ITestOutputHelper output) =>
        ConformanceData.RequireOrExplain(Path.Combine("r4-examples", "bundles"), output);

    public static Bundle Load(string folder, string fileName) =>
        Assert.IsType<Bundle>(FhirSerialization.JsonDeserializer.DeserializeResource(File.ReadAllText(Path.Combine(folder, fileName))));
}
