using AllianceFhir.Testing;
using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Search;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Xunit.Abstractions;

namespace AllianceFhir.Api.Tests.Conformance;

/// <summary>
/// The official R4 example Bundles as search data: every entry of a stored type is created on its own, then must be
/// found again by _id, and canonical resources by url and url + version. Real-world resources exercise the index
/// extraction on shapes hand-written tests miss.
/// </summary>
public sealed class ExampleBundleSearchTests(FhirApplication app, ITestOutputHelper output) : IClassFixture<FhirApplication>
{
    private static readonly FhirJsonDeserializer Lenient = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    [SkippableFact]
    public async Task Every_stored_example_resource_is_found_by_id_and_canonical_url()
    {
        var folder = ConformanceData.Require(Path.Combine("r4-examples", "bundles"));

        var client = new SearchClient(app.CreateClient());
        var checkedCount = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var bundle = (Bundle)Lenient.DeserializeResource(await File.ReadAllTextAsync(file));
            foreach (var resource in bundle.Entry.Select(e => e.Resource).OfType<Resource>().Where(r => SupportedResourceTypes.IsSupported(r.TypeName)))
            {
                resource.Id = null;
                using var created = await client.Http.PostAsync($"/fhir/{resource.TypeName}", resource);
                Assert.True(created.StatusCode == HttpStatusCode.Created, $"{Path.GetFileName(file)}: {resource.TypeName} → {(int)created.StatusCode}");
                var stored = FhirSerialization.JsonDeserializer.DeserializeResource(await created.Content.ReadAsStringAsync());

                Assert.Equal([stored.Id], await client.IdsAsync($"/fhir/{stored.TypeName}?_id={stored.Id}"));
                if (stored is IVersionableConformanceResource { Url: { } url } canonical)
                {
                    var byUrl = await client.IdsAsync($"/fhir/{stored.TypeName}?url={Uri.EscapeDataString(url)}&_count=1000");
                    Assert.Contains(stored.Id, byUrl);
                    if (canonical.Version is { } version)
                    {
                        Assert.Contains(stored.Id, await client.IdsAsync($"/fhir/{stored.TypeName}?url={Uri.EscapeDataString(url)}&version={Uri.EscapeDataString(version)}&_count=1000"));
                    }
                }

                checkedCount++;
            }
        }

        output.WriteLine($"{checkedCount} example resources stored and found again.");
        Assert.True(checkedCount > 0);
    }
}
