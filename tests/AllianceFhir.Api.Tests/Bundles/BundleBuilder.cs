using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Bundles;

/// <summary>Builds transaction and batch Bundles entry by entry, the way a client assembles them.</summary>
public sealed class BundleBuilder(Bundle.BundleType type)
{
    public Bundle Bundle { get; } = new() { Type = type };

    public static BundleBuilder Transaction() => new(Bundle.BundleType.Transaction);

    public static BundleBuilder Batch() => new(Bundle.BundleType.Batch);

    /// <summary>A fresh <c>urn:uuid:</c> for an entry's fullUrl.</summary>
    public static string NewUrn() => $"urn:uuid:{Guid.NewGuid():D}";

    public BundleBuilder Post(Resource resource, string? fullUrl = null, string? ifNoneExist = null) =>
        Add(Bundle.HTTPVerb.POST, resource.TypeName, resource, fullUrl, r => r.IfNoneExist = ifNoneExist);

    public BundleBuilder Put(string url, Resource resource, string? fullUrl = null, string? ifMatch = null, string? ifNoneMatch = null) =>
        Add(Bundle.HTTPVerb.PUT, url, resource, fullUrl, r =>
        {
            r.IfMatch = ifMatch;
            r.IfNoneMatch = ifNoneMatch;
        });

    public BundleBuilder Delete(string url, string? ifMatch = null) =>
        Add(Bundle.HTTPVerb.DELETE, url, null, null, r => r.IfMatch = ifMatch);

    public BundleBuilder Get(string url, string? ifNoneMatch = null) =>
        Add(Bundle.HTTPVerb.GET, url, null, null, r => r.IfNoneMatch = ifNoneMatch);

    public BundleBuilder Add(Bundle.HTTPVerb method, string url, Resource? resource, string? fullUrl, Action<Bundle.RequestComponent>? configure = null)
    {
        var request = new Bundle.RequestComponent { Method = method, Url = url };
        configure?.Invoke(request);
        Bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = fullUrl, Resource = resource, Request = request });
        return this;
    }
}

/// <summary>Posting Bundles to the base and reading what came back.</summary>
public static class BundleHttp
{
    public static async Task<HttpResponseMessage> PostBundleAsync(this HttpClient client, Bundle bundle, string? prefer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = FhirHttp.JsonBody(bundle) };
        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        return await client.SendAsync(request);
    }

    public static async Task<Bundle> SearchAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsAsync<Bundle>();
    }

    /// <summary>"Patient/123/_history/1" → "123".</summary>
    public static string IdFromLocation(string? location)
    {
        Assert.NotNull(location);
        var parts = location.Split('/');
        Assert.True(parts.Length >= 2, $"'{location}' is not a Type/id location");
        return parts[1];
    }
}

/// <summary>Test data that refers to a patient.</summary>
public static class Clinical
{
    public const string MrnSystem = "http://clinic.example.org/mrn";

    public static Observation ScoreFor(string subject, string? encounter = null, string code = "srs-total") => new()
    {
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://alliancefhir.org/fhir/CodeSystem/alliance-score", code),
        Subject = new ResourceReference(subject),
        Encounter = encounter is null ? null : new ResourceReference(encounter),
        Value = new Quantity(34, "{score}"),
    };

    public static Encounter VisitOf(string subject) => new()
    {
        Status = Encounter.EncounterStatus.Finished,
        Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
        Subject = new ResourceReference(subject),
    };

    /// <summary>A unique MRN per test, so tests sharing one database never see each other's data.</summary>
    public static string NewMrn() => Guid.NewGuid().ToString("N")[..12];
}
