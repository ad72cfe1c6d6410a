using System.Globalization;
using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// Reads <c>entry.request</c> (method, url, preconditions) and <c>entry.resource</c> into a
/// <see cref="BundleEntryRequest"/>, or fails that entry with the status the same HTTP request would get.
/// </summary>
public static class BundleEntryParser
{
    public static BundleEntryRequest Parse(int index, Bundle.EntryComponent entry, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            return ParseEntry(index, entry, baseUrl);
        }
        catch (FhirOperationException ex)
        {
            throw new BundleEntryException(index, entry.FullUrl, ex);
        }
    }

    private static BundleEntryRequest ParseEntry(int index, Bundle.EntryComponent entry, string baseUrl)
    {
        var request = entry.Request
            ?? throw FhirOperationException.BadRequest("The entry has no request; every entry of a transaction or batch needs one", $"Bundle.entry[{index}].request");
        var method = request.Method
            ?? throw FhirOperationException.BadRequest("request.method is missing", $"Bundle.entry[{index}].request.method");
        if (string.IsNullOrWhiteSpace(request.Url))
        {
            throw FhirOperationException.BadRequest("request.url is missing", $"Bundle.entry[{index}].request.url");
        }

        var (segments, query) = SplitUrl(request.Url, baseUrl, index);
        var type = segments[0];
        if (type.StartsWith('$') || type.StartsWith('_') || segments.Any(s => s.StartsWith('$')))
        {
            throw NotSupported($"'{request.Url}' is an operation or system interaction, which this server does not support inside a Bundle");
        }

        if (!SupportedResourceTypes.IsSupported(type))
        {
            throw FhirOperationException.NotFound($"Resource type '{type}' is not supported by this server");
        }

        var resource = entry.Resource is null ? null : (Resource)entry.Resource.DeepCopy();
        var (interaction, id, versionId) = Classify(method, segments, query, request.Url);
        if (id is not null && !FhirId.IsValid(id))
        {
            throw FhirOperationException.BadRequest($"'{id}' in request.url is not a valid FHIR id", $"Bundle.entry[{index}].request.url");
        }

        if (interaction is EntryInteraction.Create or EntryInteraction.Update or EntryInteraction.ConditionalUpdate)
        {
            if (resource is null)
            {
                throw FhirOperationException.BadRequest($"A {method} entry needs a resource", $"Bundle.entry[{index}].resource");
            }

            if (resource.TypeName != type)
            {
                throw FhirOperationException.BadRequest(
                    $"The resource is a {resource.TypeName}, but request.url is for {type}", $"Bundle.entry[{index}].resource");
            }
        }

        if (interaction == EntryInteraction.Create)
        {
            // As for POST [type]: the server assigns the id, whatever the client sent.
            resource!.Id = null;
        }

        if (interaction == EntryInteraction.Update)
        {
            if (string.IsNullOrEmpty(resource!.Id))
            {
                throw FhirOperationException.BadRequest("An update must carry the resource id in the body", $"{type}.id");
            }

            if (resource.Id != id)
            {
                throw FhirOperationException.BadRequest($"The body id '{resource.Id}' does not match the id '{id}' in request.url", $"{type}.id");
            }
        }

        return new BundleEntryRequest(
            index,
            string.IsNullOrWhiteSpace(entry.FullUrl) ? null : entry.FullUrl,
            method,
            interaction,
            type,
            id,
            versionId,
            query,
            resource,
            ETags.ParseIfMatch(request.IfMatch, "request.ifMatch", $"Bundle.entry[{index}].request.ifMatch"),
            ETags.ParseList(request.IfNoneMatch, "request.ifNoneMatch", $"Bundle.entry[{index}].request.ifNoneMatch"),
            method == Bundle.HTTPVerb.POST && !string.IsNullOrWhiteSpace(request.IfNoneExist) ? request.IfNoneExist : null,
            request.IfModifiedSince);
    }

    /// <summary>request.url is relative to the base; an absolute URL is accepted only when it is on this server.</summary>
    private static (string[] Segments, string Query) SplitUrl(string url, string baseUrl, int index)
    {
        var text = url.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            var prefix = baseUrl.TrimEnd('/') + "/";
            if (!text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                throw FhirOperationException.BadRequest(
                    $"request.url '{url}' is not on this server; use a URL relative to the base, such as 'Patient/123'",
                    $"Bundle.entry[{index}].request.url");
            }

            text = text[prefix.Length..];
        }

        text = text.TrimStart('/');
        var q = text.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? text : text[..q];
        var query = q < 0 ? string.Empty : text[(q + 1)..];
        var segments = path.Split('/');
        if (segments.Length == 0 || segments.Any(s => s.Length == 0))
        {
            throw FhirOperationException.BadRequest($"request.url '{url}' is not a FHIR REST URL", $"Bundle.entry[{index}].request.url");
        }

        return (segments, query);
    }

    private static (EntryInteraction Interaction, string? Id, int? VersionId) Classify(
        Bundle.HTTPVerb method, string[] segments, string query, string url)
    {
        switch (method)
        {
            case Bundle.HTTPVerb.GET or Bundle.HTTPVerb.HEAD:
                if (segments.Length == 1)
                {
                    return (EntryInteraction.Search, null, null);
                }

                if (segments.Length == 2)
                {
                    return (EntryInteraction.Read, segments[1], null);
                }

                if (segments.Length == 4 && segments[2] == "_history")
                {
                    return int.TryParse(segments[3], NumberStyles.None, CultureInfo.InvariantCulture, out var vid)
                        ? (EntryInteraction.VRead, segments[1], vid)
                        : throw FhirOperationException.NotFound($"{segments[0]}/{segments[1]} has no version '{segments[3]}'");
                }

                break;
            case Bundle.HTTPVerb.POST when segments.Length == 1:
                return query.Length == 0
                    ? (EntryInteraction.Create, null, null)
                    : throw FhirOperationException.BadRequest($"A create entry's request.url is just the type; put the condition in request.ifNoneExist, not in '{url}'");
            case Bundle.HTTPVerb.PUT when segments.Length == 1:
                return query.Length > 0
                    ? (EntryInteraction.ConditionalUpdate, null, null)
                    : throw FhirOperationException.BadRequest($"PUT '{url}' needs an id or a search (conditional update)");
            case Bundle.HTTPVerb.PUT when segments.Length == 2:
                return (EntryInteraction.Update, segments[1], null);
            case Bundle.HTTPVerb.DELETE when segments.Length == 1:
                return query.Length > 0
                    ? (EntryInteraction.ConditionalDelete, null, null)
                    : throw FhirOperationException.BadRequest($"DELETE '{url}' needs an id or a search (conditional delete)");
            case Bundle.HTTPVerb.DELETE when segments.Length == 2:
                return (EntryInteraction.Delete, segments[1], null);
            case Bundle.HTTPVerb.PATCH:
                throw FhirOperationException.Of(HttpStatusCode.MethodNotAllowed, OperationOutcome.IssueType.NotSupported, "PATCH is not supported by this server");
        }

        throw NotSupported($"{method} '{url}' is not an interaction this server supports inside a Bundle");
    }

    private static FhirOperationException NotSupported(string message) =>
        FhirOperationException.Of(HttpStatusCode.BadRequest, OperationOutcome.IssueType.NotSupported, message);
}
