using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>
/// A search parameter expression that is only paths, possibly cast to a complex type and possibly a union of them
/// (<c>Observation.subject</c>, <c>Observation.code | Observation.component.code</c>, the common
/// <c>meta.lastUpdated</c>, <c>(Observation.value as Quantity)</c>, a composite component's <c>value.as(Quantity)</c>),
/// as most R4 parameters are. It is navigated child by child over the POCO tree, which yields the same nodes the
/// FHIRPath engine would at a fraction of its cost: extraction runs for every parameter of every resource written.
/// Anything else (functions, <c>where</c>, casts to primitive or System types) stays with the engine.
/// </summary>
internal sealed partial class PlainPathExpression
{
    private readonly PlainPath[] _paths;

    private PlainPathExpression(PlainPath[] paths) => _paths = paths;

    /// <param name="relativeOnly">For composite components, which are evaluated from their composite's node.</param>
    public static PlainPathExpression? TryParse(string expression, bool relativeOnly = false)
    {
        var paths = new List<PlainPath>();
        foreach (var part in expression.Split('|', StringSplitOptions.TrimEntries))
        {
            var cast = CastPattern().Match(part) is { Success: true } operatorCast ? operatorCast
                : FunctionCastPattern().Match(part) is { Success: true } functionCast ? functionCast
                : null;
            var path = cast?.Groups["path"].Value ?? part;
            Type? castTo = null;
            if (cast is not null)
            {
                // Only complex types: FHIRPath's casts to primitives and System types (DateTime, string) have
                // conversion rules of their own, so those stay with the engine.
                castTo = ModelInfo.GetTypeForFhirType(cast.Groups["type"].Value);
                if (castTo is null || !castTo.IsSubclassOf(typeof(DataType)) || castTo.IsSubclassOf(typeof(PrimitiveType)))
                {
                    return null;
                }
            }

            var relative = RelativePathPattern().IsMatch(path);
            if (!relative && (relativeOnly || !TypedPathPattern().IsMatch(path)))
            {
                return null;
            }

            paths.Add(new PlainPath(path.Split('.'), relative, castTo));
        }

        return new PlainPathExpression([.. paths]);
    }

    /// <param name="focus">The resource, or for a composite component the composite's node.</param>
    /// <param name="resourceType">The resource's type; typed paths naming another type select nothing, as in FHIRPath.</param>
    public IEnumerable<PocoNode> Evaluate(PocoNode focus, string resourceType)
    {
        foreach (var path in _paths)
        {
            var segments = path.Segments;
            if (!path.Relative && segments[0] != resourceType && segments[0] is not ("Resource" or "DomainResource"))
            {
                continue;
            }

            IEnumerable<PocoNode> nodes = [focus];
            for (var i = path.Relative ? 0 : 1; i < segments.Length; i++)
            {
                var name = segments[i];
                nodes = nodes.SelectMany(n => (IEnumerable<PocoNode>?)n.Child(name) ?? []);
            }

            foreach (var node in nodes)
            {
                if (path.CastTo is null || path.CastTo.IsInstanceOfType(node.Poco))
                {
                    yield return node;
                }
            }
        }
    }

    private sealed record PlainPath(string[] Segments, bool Relative, Type? CastTo);

    /// <summary>A type name followed by element names: <c>Observation</c>, <c>Observation.component.code</c>.</summary>
    [GeneratedRegex(@"^[A-Z][A-Za-z]+(\.[a-z][A-Za-z0-9]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex TypedPathPattern();

    /// <summary>Element names only, from the focus itself.</summary>
    [GeneratedRegex(@"^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RelativePathPattern();

    /// <summary><c>(path as Type)</c>.</summary>
    [GeneratedRegex(@"^\((?<path>[A-Za-z][A-Za-z0-9.]*) as (?<type>[A-Za-z]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex CastPattern();

    /// <summary><c>path.as(Type)</c>.</summary>
    [GeneratedRegex(@"^(?<path>[A-Za-z][A-Za-z0-9.]*)\.as\((?<type>[A-Za-z]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionCastPattern();
}
