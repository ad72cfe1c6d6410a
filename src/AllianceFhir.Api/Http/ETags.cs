using System.Globalization;
using AllianceFhir.Core.Errors;

namespace AllianceFhir.Api.Http;

/// <summary>FHIR uses weak ETags carrying the version id: <c>W/"3"</c>.</summary>
public static class ETags
{
    public static string Weak(int versionId) => $"W/\"{versionId.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Whether one entity tag of an If-None-Match list names this version (or is <c>*</c>).</summary>
    public static bool Matches(string tag, int versionId)
    {
        var value = tag.Trim();
        return value == "*" || value == Weak(versionId) || value == $"\"{versionId.ToString(CultureInfo.InvariantCulture)}\"";
    }

    /// <summary>The version in an If-Match / If-None-Match value, or null when the header is absent; 400 when it is not a version.</summary>
    public static int? ParseVersion(string? header, string headerName)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        value = value.Trim('"');
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : throw FhirOperationException.BadRequest($"{headerName} '{header}' is not a version ETag such as W/\"1\"");
    }
}
