using System.Net;
using System.Net.Sockets;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>The EHR's notification endpoint: a WireMock server on loopback that accepts everything unless told otherwise.</summary>
public sealed class Receiver : IDisposable
{
    private readonly WireMockServer _server;

    public Receiver()
    {
        _server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort()}"] });
        Accept();
    }

    public WireMockServer Server => _server;

    /// <summary>The endpoint a Subscription names.</summary>
    public string Endpoint => _server.Urls[0].TrimEnd('/') + "/hook";

    /// <summary>Every request received at the endpoint (or below it), oldest first.</summary>
    public IReadOnlyList<Hit> Requests => [.. _server.LogEntries
        .Where(e => e.RequestMessage?.Path?.StartsWith("/hook", StringComparison.Ordinal) == true)
        .OrderBy(e => e.RequestMessage!.DateTime)
        .Select(Hit.Of)];

    /// <summary>The PUTs of resources (R4 rest-hook with a payload).</summary>
    public IReadOnlyList<Hit> Puts => [.. Requests.Where(e => e.Method == "PUT")];

    public void Accept(TimeSpan? delay = null)
    {
        _server.ResetMappings();
        var response = Response.Create().WithStatusCode(HttpStatusCode.OK);
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/hook*")).UsingAnyMethod())
            .RespondWith(delay is { } d ? response.WithDelay(d) : response);
    }

    public void Fail(HttpStatusCode status = HttpStatusCode.InternalServerError)
    {
        _server.ResetMappings();
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/hook*")).UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(status));
    }

    /// <summary>The first <paramref name="failures"/> requests get <paramref name="first"/>, the rest are accepted.</summary>
    public void FailFirst(int failures, Action<IResponseBuilder> first)
    {
        _server.ResetMappings();
        var path = new WireMock.Matchers.WildcardMatcher("/hook*");
        for (var i = 0; i < failures; i++)
        {
            var builder = Response.Create();
            first(builder);
            var mapping = _server.Given(Request.Create().WithPath(path).UsingAnyMethod()).InScenario("flaky");
            mapping = i == 0 ? mapping.WillSetStateTo("1") : mapping.WhenStateIs(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).WillSetStateTo((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            mapping.RespondWith(builder);
        }

        _server.Given(Request.Create().WithPath(path).UsingAnyMethod()).InScenario("flaky").WhenStateIs(failures.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .RespondWith(Response.Create().WithStatusCode(HttpStatusCode.OK));
    }

    public void Clear() => _server.ResetLogEntries();

    /// <summary>Waits until <paramref name="done"/> holds for the received requests, or fails after <paramref name="seconds"/>.</summary>
    public async Task<IReadOnlyList<Hit>> WaitAsync(Func<IReadOnlyList<Hit>, bool> done, int seconds = 20, string? what = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var requests = Requests;
            if (done(requests))
            {
                return requests;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The receiver did not get {what ?? "the expected requests"} within {seconds} s (it got {requests.Count})");
            await Task.Delay(50);
        }
    }

    public void Dispose() => _server.Stop();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One request the receiver got, and what it answered.</summary>
public sealed record Hit(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Status)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : string.Empty;

    public static Hit Of(ILogEntry entry)
    {
        var request = entry.RequestMessage!;
        var headers = (request.Headers ?? new Dictionary<string, WireMock.Types.WireMockList<string>>())
            .ToDictionary(h => h.Key, h => h.Value.ToString() ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        return new Hit(
            request.Method ?? string.Empty,
            request.Path ?? string.Empty,
            headers,
            request.Body ?? string.Empty,
            entry.ResponseMessage?.StatusCode is { } status ? Convert.ToInt32(status, System.Globalization.CultureInfo.InvariantCulture) : 0);
    }
}
