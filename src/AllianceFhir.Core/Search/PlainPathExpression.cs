using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>
/// A search parameter expression that is only paths from the resource, possibly a union of them
/// (<c>Observation.subject</c>, <c>Observation.code | Observation.component.code</c>, or relative like the common
/// <c>meta.lastUpdated</c>), as most R4 parameters are. It is
/// navigated child by child over the POCO tree, which yields the same nodes the FHIRPath engine would, at a fraction
/// of its cost: extraction runs for every parameter of every resource written. Anything else (functions, casts,
/// <c>where</c>) stays with the engine.
/// </summary>
internal sealed partial class PlainPathExpression
{
    private readonly string[][] _paths;

    private PlainPathExpression(string[][] paths) => _paths = paths;

    public static PlainPathExpression? TryParse(string expression)
    {
        var paths = expression.Split('|', StringSplitOptions.TrimEntries);
        return paths.All(p => PathPattern().IsMatch(p) || RelativePathPattern().IsMatch(p))
            ? new PlainPathExpression([.. paths.Select(p => p.Split('.'))])
            : null;
    }

    public IEnumerable<PocoNode> Evaluate(PocoNode resource, string resourceType)
    {
        foreach (var path in _paths)
        {
            // A relative path starts at the resource's first element; a typed one names the type, and as in FHIRPath a
            // path that starts with another type selects nothing from this resource.
            var relative = char.IsLower(path[0][0]);
            if (!relative && path[0] != resourceType && path[0] is not ("Resource" or "DomainResource"))
            {
                continue;
            }

            IEnumerable<PocoNode> nodes = [resource];
            for (var i = relative ? 0 : 1; i < path.Length; i++)
            {
                var name = path[i];
                nodes = nodes.SelectMany(n => (IEnumerable<PocoNode>?)n.Child(name) ?? []);
            }

            foreach (var node in nodes)
            {
                yield return node;
            }
        }
    }

    /// <summary>A type name followed by one or more element names.</summary>
    [GeneratedRegex(@"^[A-Z][A-Za-z]+(\.[a-z][A-Za-z0-9]*)+$", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();

    /// <summary>Element names only, from the resource itself.</summary>
    [GeneratedRegex(@"^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RelativePathPattern();
}
