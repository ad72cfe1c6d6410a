using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Storage;

namespace AllianceFhir.Core.Versioning;

/// <summary>
/// The conditional rules of R4 (http.html#concurrency, #cread), decided once for a REST request and for a Bundle
/// entry alike: <paramref name="name"/> is how the request spelled the precondition (<c>If-Match</c> or
/// <c>ifMatch</c>), for the message.
/// </summary>
public static class Preconditions
{
    /// <summary>
    /// If-Match: the write applies only to the version the client names, or with <c>*</c> to whatever version is current,
    /// but never when there is no live resource; otherwise 412.
    /// </summary>
    public static void DemandIfMatch(IfMatch? ifMatch, ResourceVersion? current, string resourceType, string id, string name)
    {
        if (ifMatch is { IsAny: true } && current is null or { IsDeleted: true })
        {
            throw FhirOperationException.PreconditionFailed(
                $"{name} * needs a current version of {resourceType}/{id}, but it " + (current is null ? "does not exist" : "is deleted"));
        }

        if (ifMatch?.Version is int expected && current?.VersionId != expected)
        {
            throw FhirOperationException.PreconditionFailed(
                $"{name} {ETags.Weak(expected)} does not match the current version of {resourceType}/{id}"
                + (current is null ? " (it does not exist)" : $" ({ETags.Weak(current.VersionId)})"));
        }
    }

    /// <summary>If-None-Match on a write: the client wants it only when no live version (or not the named one) exists; otherwise 412.</summary>
    public static void DemandIfNoneMatch(string? ifNoneMatch, ResourceVersion? current, string resourceType, string id, string name)
    {
        if (ifNoneMatch is { } tags && current is { IsDeleted: false } && ETags.AnyMatches(tags, current.VersionId))
        {
            throw FhirOperationException.PreconditionFailed($"{name} {tags}: {resourceType}/{id} exists at {ETags.Weak(current.VersionId)}");
        }
    }

    /// <summary>
    /// A conditional read: 304 when If-None-Match names the current version, or when it has not changed since
    /// If-Modified-Since. HTTP dates have whole seconds, stored versions milliseconds: a version from within the second
    /// the client was told counts as unchanged. Compared as a difference: adding the second to the client's date overflows
    /// for a date in the last second of year 9999, which a header or a Bundle's ifModifiedSince may carry.
    /// </summary>
    public static bool IsNotModified(ResourceVersion current, string? ifNoneMatch, DateTimeOffset? ifModifiedSince)
    {
        ArgumentNullException.ThrowIfNull(current);
        return (ifNoneMatch is { Length: > 0 } tags && ETags.AnyMatches(tags, current.VersionId))
            || (ifModifiedSince is { } since && current.LastUpdated - since <= TimeSpan.FromSeconds(1));
    }
}
