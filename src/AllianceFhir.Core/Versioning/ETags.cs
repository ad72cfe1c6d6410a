using System.Globalization;
using AllianceFhir.Core.Errors;

namespace AllianceFhir.Core.Versioning;

/// <summary>
/// FHIR's entity tags: weak, carrying the version id (<c>W/"3"</c>). The one place that writes and reads them, for the
/// HTTP headers (ETag, If-Match, If-None-Match) and for a Bundle entry's <c>request.ifMatch</c>/<c>ifNoneMatch</c>.
/// </summary>
public static class ETags
{
    public static string Weak(int versionId) => $"W/\"{versionId.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Whether one entity tag of an If-None-Match list names this version (or is <c>*</c>).</summary>
    public static bool Matches(string tag, int versionId)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var value = tag.Trim();
        return value == "*" || value == Weak(versionId) || value == $"\"{versionId.ToString(CultureInfo.InvariantCulture)}\"";
    }

    /// <summary>Whether a comma-separated If-None-Match list names this version (or holds <c>*</c>).</summary>
    public static bool AnyMatches(string list, int versionId)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Split(',').Any(tag => Matches(tag, versionId));
    }

    /// <summary>
    /// The version in an If-Match value (<c>W/"3"</c>, <c>"3"</c>), or null when there is none; a 400 naming
    /// <paramref name="name"/> (and <paramref name="expression"/>, where the value sits in a resource) when it is not one.
    /// </summary>
    public static int? ParseVersion(string? value, string name, string? expression = null)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        if (int.TryParse(text.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
        {
            return version;
        }

        var message = $"{name} '{value}' is not a version ETag such as W/\"1\"";
        throw expression is null ? FhirOperationException.BadRequest(message) : FhirOperationException.BadRequest(message, expression);
    }
}
