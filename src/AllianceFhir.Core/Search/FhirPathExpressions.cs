using System.Text;
using System.Text.RegularExpressions;

namespace AllianceFhir.Core.Search;

/// <summary>Text rewrites applied to the R4 search expressions before they are compiled.</summary>
internal static partial class FhirPathExpressions
{
    /// <summary>
    /// Keeps only the top-level <c>|</c> branches that start at <paramref name="resourceType"/>, so a shared
    /// definition (e.g. <c>Patient.name | Practitioner.name</c>) costs one branch per resource, not fourteen.
    /// Returns null when no branch applies.
    /// </summary>
    public static string? NarrowToType(string expression, string resourceType)
    {
        var kept = SplitTopLevelUnion(expression).Where(b => StartsAt(b, resourceType)).ToList();
        return kept.Count == 0 ? null : string.Join(" | ", kept);
    }

    /// <summary>
    /// Indexing has no server to resolve references against, so <c>resolve() is X</c> becomes "the reference
    /// text points at type X" (relative <c>X/id</c> or absolute <c>…/X/id</c>): <see cref="PointsAt"/> in FHIRPath.
    /// </summary>
    public static string RewriteResolveIs(string expression) =>
        ResolveIsPattern().Replace(
            expression,
            m => $"(reference.startsWith('{m.Groups[1].Value}/') or reference.contains('/{m.Groups[1].Value}/'))");

    /// <summary>
    /// Whether a reference's text points at a resource of this type, as <see cref="RewriteResolveIs"/> decides it:
    /// <c>startsWith('X/') or contains('/X/')</c>, without a string built per call (it runs for every reference indexed).
    /// </summary>
    public static bool PointsAt(string reference, string resourceType)
    {
        var rest = reference.AsSpan();
        if (StartsWithType(rest, resourceType))
        {
            return true;
        }

        for (var slash = rest.IndexOf('/'); slash >= 0; slash = rest.IndexOf('/'))
        {
            rest = rest[(slash + 1)..];
            if (StartsWithType(rest, resourceType))
            {
                return true;
            }
        }

        return false;

        static bool StartsWithType(ReadOnlySpan<char> text, string type) =>
            text.Length > type.Length && text[type.Length] == '/' && text.StartsWith(type, StringComparison.Ordinal);
    }

    internal static List<string> SplitTopLevelUnion(string expression)
    {
        var branches = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        var inString = false;
        foreach (var c in expression)
        {
            if (c == '\'')
            {
                inString = !inString;
            }
            else if (!inString && c == '(')
            {
                depth++;
            }
            else if (!inString && c == ')')
            {
                depth--;
            }
            else if (!inString && depth == 0 && c == '|')
            {
                branches.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        branches.Add(current.ToString().Trim());
        return branches.Where(b => b.Length > 0).ToList();
    }

    private static bool StartsAt(string branch, string resourceType)
    {
        var body = branch.TrimStart('(', ' ');
        if (!body.StartsWith(resourceType, StringComparison.Ordinal))
        {
            return false;
        }

        // "Patient" must not match "PatientX": the type name ends the path or is followed by '.', ' ' or ')'.
        return body.Length == resourceType.Length || body[resourceType.Length] is '.' or ' ' or ')';
    }

    [GeneratedRegex(@"resolve\(\)\s+is\s+([A-Za-z]+)", RegexOptions.CultureInvariant)]
    private static partial Regex ResolveIsPattern();
}
