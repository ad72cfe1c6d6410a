using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;

namespace AllianceFhir.Api.Tests.Export;

/// <summary>Firely's FhirClient, unchanged, kicking off an export as a .NET EHR integration would.</summary>
public sealed class ExportFirelyClientTests : IDisposable
{
    private readonly FhirApplication _app;

    public ExportFirelyClientTests()
    {
        _app = new FhirApplication().WithExportFolder();
    }

    public void Dispose()
    {
        _app.Dispose();
    }

    [Fact]
    public async Task FhirClient_kicks_off_with_respond_async_and_gets_the_status_url()
    {
        using (var http = _app.CreateClient())
        {
            await ExportData.PatientsAsync(http, "f1");
        }

        var recorder = new HeaderRecorder(_app.Server.CreateHandler());
        using var client = new FhirClient(new Uri(_app.Server.BaseAddress, "/fhir/"), new FhirClientSettings { UseAsync = true, VerifyFhirVersion = false }, recorder);

        var outcome = await client.WholeSystemOperationAsync("export", useGet: true);

        Assert.IsType<OperationOutcome>(outcome);
        Assert.StartsWith("202", client.LastResult?.Status, StringComparison.Ordinal);
        var status = Assert.IsType<Uri>(recorder.ContentLocation);
        using var http2 = _app.CreateClient();
        var manifest = await ExportClient.ManifestAsync(http2, status.PathAndQuery);
        Assert.Equal(1, ExportClient.Outputs(manifest)["Patient"].Count);
    }

    private sealed class HeaderRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public Uri? ContentLocation { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Contains("respond-async", request.Headers.GetValues("Prefer"));
            var response = await base.SendAsync(request, cancellationToken);
            ContentLocation = response.Content.Headers.ContentLocation;
            return response;
        }
    }
}
