using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Bundles;

/// <summary>What POST [base] accepts as a whole: Bundle types, the entry limit, the CapabilityStatement claim.</summary>
public class BundleRequestTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData(Bundle.BundleType.Collection)]
    [InlineData(Bundle.BundleType.Document)]
    [InlineData(Bundle.BundleType.Searchset)]
    [InlineData(Bundle.BundleType.TransactionResponse)]
    public async Task Bundles_that_are_not_transaction_or_batch_are_400(Bundle.BundleType type)
    {
        var bundle = new Bundle { Type = type };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = BundleBuilder.NewUrn(), Resource = Patients.WithMrn(Clinical.NewMrn()) });

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains("transaction or batch", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(OperationOutcome.IssueType.NotSupported, outcome.Issue[0].Code);
    }

    [Fact]
    public async Task A_resource_other_than_a_bundle_is_400()
    {
        using var response = await _client.PostAsync("/fhir", Patients.WithMrn(Clinical.NewMrn()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.ReadAsAsync<OperationOutcome>();
    }

    [Fact]
    public async Task Entries_above_the_configured_limit_are_413_and_change_nothing()
    {
        using var limited = new FhirApplication().With("Fhir:MaxBundleEntries", "2");
        using var client = limited.CreateClient();
        var mrn = Clinical.NewMrn();
        var bundle = BundleBuilder.Batch()
            .Post(Patients.WithMrn(mrn))
            .Post(Patients.WithMrn(mrn))
            .Post(Patients.WithMrn(mrn))
            .Bundle;

        using var response = await client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueType.TooCostly, outcome.Issue[0].Code);
        Assert.Empty((await client.SearchAsync($"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}")).Entry);

        bundle.Entry.RemoveAt(2);
        using var atLimit = await client.PostBundleAsync(bundle);
        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
    }

    [Fact]
    public async Task CapabilityStatement_claims_transaction_and_batch()
    {
        using var response = await _client.GetAsync("/fhir/metadata");

        var capabilities = await response.ReadAsAsync<CapabilityStatement>();
        var system = capabilities.Rest[0].Interaction.Select(i => i.Code).ToList();
        Assert.Contains(CapabilityStatement.SystemRestfulInteraction.Transaction, system);
        Assert.Contains(CapabilityStatement.SystemRestfulInteraction.Batch, system);
    }

    [Fact]
    public async Task An_xml_transaction_gets_an_xml_response()
    {
        var bundle = BundleBuilder.Transaction().Post(Patients.WithMrn(Clinical.NewMrn())).Bundle;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir")
        {
            Content = new StringContent(
                AllianceFhir.Core.Serialization.FhirSerialization.XmlSerializer.SerializeToString(bundle),
                System.Text.Encoding.UTF8,
                FhirHttp.Xml),
        };
        request.Headers.Accept.Add(FhirHttp.Accept(FhirHttp.Xml));

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FhirHttp.Xml, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("201 Created", (await response.ReadAsAsync<Bundle>()).Entry[0].Response!.Status);
    }
}
