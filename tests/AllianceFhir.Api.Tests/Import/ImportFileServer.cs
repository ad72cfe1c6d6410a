using System.Net;
using System.Net.Sockets;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace AllianceFhir.Api.Tests.Import;

/// <summary>A WireMock.Net file server on loopback that serves NDJSON files by path, as a clinic's export share would.</summary>
public sealed class ImportFileServer : IDisposable
{
    private readonly WireMockServer _server;

    public ImportFileServer()
    {
        _server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort()}"] });
        BaseUrl = _server.Urls[0].TrimEnd('/');
    }

    public string BaseUrl { get; }

    public string Serve(string path, string ndjson)
    {
        _server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/fhir+ndjson").WithBody(ndjson));
        return BaseUrl + path;
    }

    public string Missing(string path)
    {
        _server.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Response.Create().WithStatusCode(404));
        return BaseUrl + path;
    }

    public void Dispose() => _server.Stop();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
