using AllianceFhir.Core.Serialization;
using AllianceFhir.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Bundles;

/// <summary>The official R4 example Bundles, from the external conformance data (see <see cref="ConformanceData"/>).</summary>
internal static class BundleExamples
{
    /// <summary>The folder; when the data is absent the test skips (fails in CI), see <see cref="ConformanceData.Require"/>.</summary>
    public static string Folder() => ConformanceData.Require(Path.Combine("r4-examples", "bundles"));

    public static Bundle Load(string folder, string fileName) =>
        Assert.IsType<Bundle>(FhirSerialization.JsonDeserializer.DeserializeResource(File.ReadAllText(Path.Combine(folder, fileName))));
}
