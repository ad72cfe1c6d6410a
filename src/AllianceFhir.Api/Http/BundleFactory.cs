using System.Globalization;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Http;

/// <summary>Builds the history Bundles the REST API returns, and the URLs their links carry.</summary>
public static class BundleFactory
{
    public static Bundle History(HttpRequest request, IReadOnlyList<ResourceVersion> versions, string? nextLink)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.History, Timestamp = DateTimeOffset.UtcNow };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = FhirUrls.Current(request) });
        if (nextLink is not null)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = nextLink });
        }

        foreach (var v in versions)
        {
            var entry = new Bundle.EntryComponent
            {
                FullUrl = FhirUrls.Resource(request, v.ResourceType, v.Id),
                Resource = v.ToResource(),
                Request = new Bundle.RequestComponent
                {
                    Method = v.Method switch
                    {
                        "POST" => Bundle.HTTPVerb.POST,
                        "DELETE" => Bundle.HTTPVerb.DELETE,
                        "PATCH" => Bundle.HTTPVerb.PATCH,
                        _ => Bundle.HTTPVerb.PUT,
                    },
                    Url = v.Method == "POST" ? v.ResourceType : $"{v.ResourceType}/{v.Id}",
                },
                Response = new Bundle.ResponseComponent
                {
                    Status = v.IsDeleted ? "204 No Content" : v.VersionId == 1 ? "201 Created" : "200 OK",
                    Etag = ETags.Weak(v.VersionId),
                    LastModified = v.LastUpdated,
                },
            };
            bundle.Entry.Add(entry);
        }

        return bundle;
    }

    public static string WithQuery(HttpRequest request, IDictionary<string, string> replace)
    {
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        foreach (var (k, v) in replace)
        {
            query[k] = v;
        }

        var text = string.Join('&', query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
        return FhirUrls.Current(request, $"?{text}");
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
