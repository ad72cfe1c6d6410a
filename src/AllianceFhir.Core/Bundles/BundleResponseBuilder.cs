using System.Globalization;
using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Bundles;

/// <summary>The transaction-response / batch-response: one entry per request entry, in request order.</summary>
internal static class BundleResponseBuilder
{
    public static Bundle Build(
        Bundle.BundleType type,
        int entryCount,
        IReadOnlyDictionary<int, BundleEntryResult> results,
        BundleRequestContext context)
    {
        var baseUrl = context.BaseUrl.TrimEnd('/');
        var bundle = new Bundle { Type = type, Timestamp = DateTimeOffset.UtcNow };
        for (var i = 0; i < entryCount; i++)
        {
            bundle.Entry.Add(results.TryGetValue(i, out var result)
                ? Entry(result, baseUrl, context.Return)
                : new Bundle.EntryComponent { Response = new Bundle.ResponseComponent { Status = StatusText(HttpStatusCode.InternalServerError) } });
        }

        return bundle;
    }

    private static Bundle.EntryComponent Entry(BundleEntryResult result, string baseUrl, ReturnPreference preference)
    {
        var response = new Bundle.ResponseComponent { Status = StatusText(result.Status), Outcome = result.Outcome };
        var entry = new Bundle.EntryComponent { Response = response };
        if (result.Version is { } v)
        {
            response.Etag = ETags.Weak(v.VersionId);
            response.LastModified = v.LastUpdated;
            if (!v.IsDeleted)
            {
                entry.FullUrl = $"{baseUrl}/{v.ResourceType}/{v.Id}";
                if (result.IsWrite)
                {
                    // Relative, as in the R4 transaction-response example.
                    response.Location = $"{v.ResourceType}/{v.Id}/_history/{v.VersionId.ToString(CultureInfo.InvariantCulture)}";
                }
            }
        }

        if (result.Resource is null)
        {
            return entry;
        }

        if (!result.IsWrite || preference == ReturnPreference.Representation)
        {
            entry.Resource = result.Resource;
        }
        else if (preference == ReturnPreference.OperationOutcome && response.Outcome is null)
        {
            response.Outcome = Outcomes.Information(result.Status == HttpStatusCode.Created
                ? $"Created {result.Version?.ResourceType}/{result.Version?.Id}"
                : $"{result.Version?.ResourceType}/{result.Version?.Id} is at version {result.Version?.VersionId}");
        }

        return entry;
    }

    /// <summary>"201 Created": the code and the standard reason phrase, as Bundle.entry.response.status wants.</summary>
    public static string StatusText(HttpStatusCode status) =>
        $"{((int)status).ToString(CultureInfo.InvariantCulture)} {ReasonPhrase(status)}";

    private static string ReasonPhrase(HttpStatusCode status) => status switch
    {
        HttpStatusCode.OK => "OK",
        HttpStatusCode.Created => "Created",
        HttpStatusCode.NoContent => "No Content",
        HttpStatusCode.NotModified => "Not Modified",
        HttpStatusCode.BadRequest => "Bad Request",
        HttpStatusCode.NotFound => "Not Found",
        HttpStatusCode.MethodNotAllowed => "Method Not Allowed",
        HttpStatusCode.Conflict => "Conflict",
        HttpStatusCode.Gone => "Gone",
        HttpStatusCode.PreconditionFailed => "Precondition Failed",
        HttpStatusCode.RequestEntityTooLarge => "Payload Too Large",
        HttpStatusCode.UnprocessableEntity => "Unprocessable Entity",
        HttpStatusCode.InternalServerError => "Internal Server Error",
        _ => string.Concat(status.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? " " + c : c.ToString())),
    };
}
