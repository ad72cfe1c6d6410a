using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

public class SystemEndpointsTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Metadata_lists_every_supported_type_with_the_interactions_that_exist()
    {
        using var response = await _client.GetAsync("/fhir/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var capabilities = await response.ReadAsAsync<CapabilityStatement>();
        Assert.Equal(FHIRVersion.N4_0_1, capabilities.FhirVersion);
        Assert.Contains("json", capabilities.Format);
        Assert.Contains("xml", capabilities.Format);
        var rest = Assert.Single(capabilities.Rest);
        foreach (var type in AllianceFhir.Core.Resources.SupportedResourceTypes.All)
        {
            var resource = Assert.Single(rest.Resource, r => r.Type == type);
            var codes = resource.Interaction.Select(i => i.Code).ToHashSet();

            // Reads honour If-None-Match and If-Modified-Since (EntityTagTests, CreateAndReadTests): say so.
            Assert.Equal(CapabilityStatement.ConditionalReadStatus.FullSupport, resource.ConditionalRead);
            if (type == "AuditEvent")
            {
                // The server's own record: readable and searchable, never written through the API.
                Assert.Equal(
                    [
                        CapabilityStatement.TypeRestfulInteraction.Read,
                        CapabilityStatement.TypeRestfulInteraction.Vread,
                        CapabilityStatement.TypeRestfulInteraction.HistoryInstance,
                        CapabilityStatement.TypeRestfulInteraction.HistoryType,
                        CapabilityStatement.TypeRestfulInteraction.SearchType,
                    ],
                    resource.Interaction.Select(i => i.Code));
                Assert.False(resource.ConditionalCreate);
                Assert.False(resource.UpdateCreate);
                continue;
            }

            Assert.Superset(
                new HashSet<CapabilityStatement.TypeRestfulInteraction?>
                {
                    CapabilityStatement.TypeRestfulInteraction.Read,
                    CapabilityStatement.TypeRestfulInteraction.Vread,
                    CapabilityStatement.TypeRestfulInteraction.Update,
                    CapabilityStatement.TypeRestfulInteraction.Delete,
                    CapabilityStatement.TypeRestfulInteraction.Create,
                    CapabilityStatement.TypeRestfulInteraction.SearchType,
                    CapabilityStatement.TypeRestfulInteraction.HistoryInstance,
                    CapabilityStatement.TypeRestfulInteraction.HistoryType,
                },
                codes);
            Assert.True(resource.ConditionalCreate);
            Assert.True(resource.UpdateCreate);
        }

        Assert.DoesNotContain(rest.Resource, r => r.Type == "Spaceship");
    }

    [Fact]
    public async Task Health_reports_the_database_reachable()
    {
        using var response = await _client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Swagger_ui_and_document_are_served_with_per_type_paths()
    {
        using var ui = await _client.GetAsync("/swagger/index.html");
        var document = await _client.GetStringAsync("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("\"/fhir/QuestionnaireResponse/{id}\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/fhir/Observation\"", document, StringComparison.Ordinal);
        Assert.Contains("application/fhir+json", document, StringComparison.Ordinal);
        Assert.Contains("application/fhir+xml", document, StringComparison.Ordinal);
    }
}
