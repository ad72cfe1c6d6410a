using System.Globalization;
using AllianceFhir.Core.Errors;

namespace AllianceFhir.Core.Versioning;

/// <summary>
/// FHIR's entity tags: weak, carrying the version id (<c>W/"3"</c>). The one place that writes and reads them, for the
/// HTTP headers (ETag, If-Match, If-None-Match) and for a Bundle entry's <c>request.ifMatch</c>/<c>ifNoneMatch</c>.
/// Read as RFC 9110 §8.8.3 spells them: an optional <c>W/</c>, then the tag between double quotes; a bare or
/// half-quoted value is no entity tag, and guessing at it would turn a precondition the client meant into none.
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

    /// <summary>Whether an If-None-Match list (checked by <see cref="ParseList"/>) names this version (or holds <c>*</c>).</summary>
    public static bool AnyMatches(string list, int versionId)
    {
        ArgumentNullException.ThrowIfNull(list);
        return (TryReadList(list, out var tags) ? tags : []).Any(tag => Matches(tag, versionId));
    }

    /// <summary>
    /// An If-None-Match value: <c>*</c> or a comma-separated list of entity tags, trimmed; null when empty; a 400 naming
    /// <paramref name="name"/> (and <paramref name="expression"/>, where the value sits in a resource) when it is neither.
    /// </summary>
    public static string? ParseList(string? value, string name, string? expression = null)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return TryReadList(value, out _)
            ? value.Trim()
            : throw Malformed($"{name} '{value}' is not '*' or a list of entity tags such as W/\"1\"", expression);
    }

    /// <summary>
    /// An If-Match value: <c>*</c> or one version ETag (<c>W/"3"</c>, <c>"3"</c>), or null when there is none; a 400 naming
    /// <paramref name="name"/> (and <paramref name="expression"/>, where the value sits in a resource) when it is neither.
    /// </summary>
    public static IfMatch? ParseIfMatch(string? value, string name, string? expression = null)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (TryReadList(value, out var tags) && tags.Count == 1)
        {
            if (tags[0] == "*")
            {
                return IfMatch.Any;
            }

            if (int.TryParse(Opaque(tags[0]), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
            {
                return IfMatch.Of(version);
            }
        }

        throw Malformed($"{name} '{value}' is not '*' or one version ETag such as W/\"1\" (FHIR's version-aware update names the version it expects)", expression);
    }

    private static FhirOperationException Malformed(string message, string? expression) =>
        expression is null ? FhirOperationException.BadRequest(message) : FhirOperationException.BadRequest(message, expression);

    private static string Opaque(string tag) => (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag)[1..^1];

    /// <summary>
    /// <c>"*" / #entity-tag</c> (RFC 9110 §13.1.1-2): tags separated by commas and optional whitespace (empty elements
    /// ignored, §5.6.1), each <c>[W/]"etagc*"</c>, where etagc is any visible character but the double quote (so a comma
    /// may sit inside a tag).
    /// </summary>
    private static bool TryReadList(string value, out List<string> tags)
    {
        tags = [];
        var text = value.Trim();
        if (text == "*")
        {
            tags.Add("*");
            return true;
        }

        var i = 0;
        while (true)
        {
            while (i < text.Length && text[i] is ' ' or '\t' or ',')
            {
                i++;
            }

            if (i == text.Length)
            {
                return tags.Count > 0;
            }

            var start = i;
            if (text.AsSpan(i).StartsWith("W/", StringComparison.Ordinal))
            {
                i += 2;
            }

            if (i >= text.Length || text[i] != '"')
            {
                return false;
            }

            i++;
            while (i < text.Length && text[i] != '"')
            {
                if (text[i] is < '!' or '\x7f')
                {
                    return false;
                }

                i++;
            }

            if (i >= text.Length)
            {
                return false;
            }

            i++;
            tags.Add(text[start..i]);
            while (i < text.Length && text[i] is ' ' or '\t')
            {
                i++;
            }

            if (i < text.Length && text[i] != ',')
            {
                return false;
            }
        }
    }
}
