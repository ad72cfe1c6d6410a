using System.Net;
using System.Net.Sockets;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace AllianceFhir.Cli.Tests.Export;

/// <summary>
/// A WireMock.Net server on loopback that behaves as a Bulk Data Access 2.0 server: kick-off 202 with
/// Content-Location, status 202 with X-Progress and Retry-After while "running", then 200 with the manifest, and the
/// NDJSON files it names. The app's own $export is being built elsewhere; the CLI is held to the spec here.
/// </summary>
public sealed class BulkDataServer : IDisposable
{
    public const string Scenario = "export";

    public BulkDataServer()
    {
        Server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort()}"] });
        BaseUrl = Server.Urls[0].TrimEnd('/');
    }

    public WireMockServer Server { get; }

    public string BaseUrl { get; }

    public string FhirBase => BaseUrl + "/fhir";

    public string StatusUrl => BaseUrl + "/fhir/$export-poll-status/job-1";

    /// <summary>Kick-off at <paramref name="path"/> answers 202 and points at <see cref="StatusUrl"/>.</summary>
    public void AcceptsKickOff(string path = "/fhir/$export") =>
        Server.Given(Request.Create().WithPath(path).UsingGet()
                .WithHeader("Prefer", "respond-async")
                .WithHeader("Accept", "application/fhir+json"))
            .RespondWith(Response.Create().WithStatusCode(202).WithHeader("Content-Location", StatusUrl));

    /// <summary>The first poll finds the export running (X-Progress, Retry-After: 1); the next ones find it complete.</summary>
    public void RunsOnceThenCompletes(string manifestJson, string progress = "Exporting: 50% done")
    {
        Server.Given(Request.Create().WithPath("/fhir/$export-poll-status/job-1").UsingGet())
            .InScenario(Scenario)
            .WillSetStateTo("done")
            .RespondWith(Response.Create().WithStatusCode(202).WithHeader("X-Progress", progress).WithHeader("Retry-After", "1"));
        Server.Given(Request.Create().WithPath("/fhir/$export-poll-status/job-1").UsingGet())
            .InScenario(Scenario)
            .WhenStateIs("done")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithHeader("Expires", DateTimeOffset.UtcNow.AddHours(1).ToString("R")).WithBody(manifestJson));
    }

    public void Serves(string path, string ndjson) =>
        Server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/fhir+ndjson").WithBody(ndjson));

    /// <summary>The headers of the requests made to <paramref name="path"/>.</summary>
    public IReadOnlyList<IDictionary<string, WireMock.Types.WireMockList<string>>> RequestsTo(string path) =>
        [.. Server.LogEntries.Where(e => e.RequestMessage!.Path == path).Select(e => e.RequestMessage!.Headers!)];

    public void Dispose() => Server.Stop();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
