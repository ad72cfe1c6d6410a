using System.Collections;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>
/// A search parameter expression that is only paths, possibly cast to a type, possibly filtered to the references
/// that point at one resource type, and possibly a union of them (<c>Observation.subject</c>,
/// <c>Observation.code | Observation.component.code</c>, <c>meta.lastUpdated</c>, <c>(Observation.value as Quantity)</c>,
/// <c>(Observation.value as CodeableConcept).text</c>, a composite component's <c>value.as(Quantity)</c>,
/// <c>Observation.subject.where(resolve() is Patient)</c>, <c>Patient.telecom.where(system='email')</c>), as nearly all R4
/// parameters are. It is walked element by
/// element over the POCOs themselves (<see cref="Base.TryGetValue"/>), which yields the same values the FHIRPath engine
/// would without building a node tree or an enumerator per step: extraction runs for every parameter of every
/// resource written. Anything else (other functions, any other <c>where</c>) stays with the engine.
/// </summary>
internal sealed partial class PlainPathExpression
{
    /// <summary>
    /// The primitive types a cast may name, each with the one POCO class that is that type. FHIRPath's casts to other
    /// primitives and to System types have conversion rules of their own, so those stay with the engine.
    /// </summary>
    private static readonly Dictionary<string, Type> PrimitiveCasts = new(StringComparer.Ordinal)
    {
        ["dateTime"] = typeof(FhirDateTime),
        ["string"] = typeof(FhirString),
    };

    private static readonly FhirBoolean True = new(true);
    private static readonly FhirBoolean False = new(false);

    private readonly PlainPath[] _paths;

    /// <summary>Whether the expression is <c>path.exists() and path != false</c>, which yields one boolean, not the path's values.</summary>
    private readonly bool _existsAndNotFalse;

    private PlainPathExpression(PlainPath[] paths, bool existsAndNotFalse = false)
    {
        _paths = paths;
        _existsAndNotFalse = existsAndNotFalse;
    }

    /// <param name="expression">The R4 expression as defined (before <see cref="FhirPathExpressions.RewriteResolveIs"/>).</param>
    /// <param name="relativeOnly">For composite components, which are evaluated from their composite's node.</param>
    public static PlainPathExpression? TryParse(string expression, bool relativeOnly = false)
    {
        // Patient.deceased: the only R4 parameter of this shape, and the one that kept every Patient create on the engine.
        if (ExistsAndNotFalsePattern().Match(expression) is { Success: true } exists
            && exists.Groups["path"].Value == exists.Groups["again"].Value)
        {
            return TryParseBranch(exists.Groups["path"].Value, relativeOnly) is { } path
                ? new PlainPathExpression([path], existsAndNotFalse: true)
                : null;
        }

        var paths = new List<PlainPath>();
        foreach (var part in expression.Split('|', StringSplitOptions.TrimEntries))
        {
            var path = TryParseBranch(part, relativeOnly);
            if (path is null)
            {
                return null;
            }

            paths.Add(path);
        }

        return new PlainPathExpression([.. paths]);
    }

    private static PlainPath? TryParseBranch(string part, bool relativeOnly)
    {
        string path;
        string? tail = null;
        Step? filter = null;
        if (CastPattern().Match(part) is { Success: true } operatorCast)
        {
            path = operatorCast.Groups["path"].Value;
            filter = CastStep(operatorCast.Groups["type"].Value);
            tail = operatorCast.Groups["tail"].Success ? operatorCast.Groups["tail"].Value : null;
        }
        else if (FunctionCastPattern().Match(part) is { Success: true } functionCast)
        {
            path = functionCast.Groups["path"].Value;
            filter = CastStep(functionCast.Groups["type"].Value);
        }
        else if (ReferenceTargetPattern().Match(part) is { Success: true } target)
        {
            path = target.Groups["path"].Value;
            filter = Step.PointsAt(target.Groups["type"].Value);
        }
        else if (ChildEqualsPattern().Match(part) is { Success: true } equals)
        {
            path = equals.Groups["path"].Value;
            filter = Step.ChildEquals(equals.Groups["name"].Value, equals.Groups["literal"].Value);
        }
        else
        {
            path = part;
        }

        if (filter is { Kind: StepKind.None })
        {
            return null;
        }

        var relative = RelativePathPattern().IsMatch(path);
        if (!relative && (relativeOnly || !TypedPathPattern().IsMatch(path)))
        {
            return null;
        }

        var names = path.Split('.');
        var steps = new List<Step>();
        steps.AddRange(names.Skip(relative ? 0 : 1).Select(Step.Child));
        if (filter is not null)
        {
            steps.Add(filter.Value);
        }

        if (tail is not null)
        {
            steps.AddRange(tail.Split('.').Select(Step.Child));
        }

        return new PlainPath(relative ? null : names[0], [.. steps]);
    }

    private static Step CastStep(string typeName)
    {
        if (PrimitiveCasts.TryGetValue(typeName, out var primitive))
        {
            return Step.ExactType(primitive);
        }

        var type = ModelInfo.GetTypeForFhirType(typeName);
        return type is null || !type.IsSubclassOf(typeof(DataType)) || type.IsSubclassOf(typeof(PrimitiveType))
            ? default
            : Step.InstanceOf(type);
    }

    /// <param name="focus">The resource, or for a composite component the composite's value.</param>
    /// <param name="resourceType">The resource's type; typed paths naming another type select nothing, as in FHIRPath.</param>
    /// <param name="into">Receives the selected values, in document order per branch.</param>
    public void Evaluate(Base focus, string resourceType, List<Base> into)
    {
        var start = into.Count;
        foreach (var path in _paths)
        {
            if (path.Root is { } root && root != resourceType && root is not ("Resource" or "DomainResource"))
            {
                continue;
            }

            Walk(focus, path.Steps, 0, into);
        }

        if (_existsAndNotFalse)
        {
            ExistsAndNotFalse(into, start);
        }
    }

    /// <summary>
    /// <c>exists() and != false</c> in FHIRPath's three-valued logic, over the values just selected: nothing is false;
    /// one boolean is itself; a boolean without a value compares as empty, so the whole is empty (no value); anything else
    /// (a dateTime, several values) is unequal to <c>false</c>, so true.
    /// </summary>
    private static void ExistsAndNotFalse(List<Base> into, int start)
    {
        var count = into.Count - start;
        FhirBoolean? result = count switch
        {
            0 => False,
            1 => into[start] switch
            {
                FhirBoolean { Value: { } flag } => flag ? True : False,
                FhirBoolean => null,
                _ => True,
            },
            _ => True,
        };
        into.RemoveRange(start, count);
        if (result is not null)
        {
            into.Add(result);
        }
    }

    private static void Walk(Base node, Step[] steps, int index, List<Base> into)
    {
        for (; index < steps.Length; index++)
        {
            var step = steps[index];
            if (step.Kind != StepKind.Child)
            {
                if (!step.Accepts(node))
                {
                    return;
                }

                continue;
            }

            if (!node.TryGetValue(step.Name!, out var child))
            {
                return;
            }

            switch (child)
            {
                case Base single:
                    node = single;
                    continue;
                case IList list:
                    // Lists are walked by index: an enumerator per repeating element is what this class avoids.
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (list[i] is Base item)
                        {
                            Walk(item, steps, index + 1, into);
                        }
                    }

                    return;
                default:
                    return;
            }
        }

        into.Add(node);
    }

    /// <param name="Root">The resource type a typed path starts at; null for a relative path.</param>
    private sealed record PlainPath(string? Root, Step[] Steps);

    private enum StepKind
    {
        None,
        Child,
        InstanceOf,
        ExactType,
        PointsAt,
        ChildEquals,
    }

    /// <summary>
    /// One step of a path: a child element, a type test, a test of the type a reference points at, or a test that a
    /// child primitive equals a string literal.
    /// </summary>
    /// <param name="Literal">For <see cref="StepKind.ChildEquals"/>: the string the child's value must equal.</param>
    private readonly record struct Step(StepKind Kind, string? Name, Type? Type, string? Literal = null)
    {
        public static Step Child(string name) => new(StepKind.Child, name, null);

        public static Step InstanceOf(Type type) => new(StepKind.InstanceOf, null, type);

        public static Step ExactType(Type type) => new(StepKind.ExactType, null, type);

        public static Step PointsAt(string resourceType) => new(StepKind.PointsAt, resourceType, null);

        public static Step ChildEquals(string name, string literal) => new(StepKind.ChildEquals, name, null, literal);

        public bool Accepts(Base node) => Kind switch
        {
            StepKind.InstanceOf => Type!.IsInstanceOfType(node),
            StepKind.ExactType => node.GetType() == Type,
            StepKind.PointsAt => node is ResourceReference { Reference: { } reference } && FhirPathExpressions.PointsAt(reference, Name!),
            StepKind.ChildEquals => ChildEqualsLiteral(node),
            _ => false,
        };

        /// <summary>
        /// FHIRPath's <c>child = 'literal'</c> as <c>where</c> reads it: true only for one child whose value is that exact
        /// string (a code's literal compares as its string); an absent child, a value of another type or a list of
        /// other than one item is empty or false, and so filters the element out.
        /// </summary>
        private bool ChildEqualsLiteral(Base node)
        {
            if (!node.TryGetValue(Name!, out var child))
            {
                return false;
            }

            if (child is IList list)
            {
                if (list.Count != 1)
                {
                    return false;
                }

                child = list[0];
            }

            // Only string-like primitives: a date or number against a string literal has conversion rules of its own.
            return child is PrimitiveType { TypeName: "code" or "string" or "uri" or "id", JsonValue: string value }
                && string.Equals(value, Literal, StringComparison.Ordinal);
        }
    }

    /// <summary>A type name followed by element names: <c>Observation</c>, <c>Observation.component.code</c>.</summary>
    [GeneratedRegex(@"^[A-Z][A-Za-z]+(\.[a-z][A-Za-z0-9]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex TypedPathPattern();

    /// <summary>Element names only, from the focus itself.</summary>
    [GeneratedRegex(@"^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RelativePathPattern();

    /// <summary><c>(path as Type)</c>, optionally followed by element names: <c>(Observation.value as CodeableConcept).text</c>.</summary>
    [GeneratedRegex(@"^\((?<path>[A-Za-z][A-Za-z0-9.]*) as (?<type>[A-Za-z]+)\)(\.(?<tail>[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex CastPattern();

    /// <summary><c>path.as(Type)</c>.</summary>
    [GeneratedRegex(@"^(?<path>[A-Za-z][A-Za-z0-9.]*)\.as\((?<type>[A-Za-z]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionCastPattern();

    /// <summary><c>path.where(resolve() is Type)</c>: the references among the path's values that point at that type.</summary>
    [GeneratedRegex(@"^(?<path>[A-Za-z][A-Za-z0-9.]*)\.where\(resolve\(\) is (?<type>[A-Z][A-Za-z]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceTargetPattern();

    /// <summary><c>path.where(name='literal')</c>, as the <c>email</c> and <c>phone</c> parameters filter telecoms by system.</summary>
    [GeneratedRegex(@"^(?<path>[A-Za-z][A-Za-z0-9.]*)\.where\((?<name>[a-z][A-Za-z0-9]*) ?= ?'(?<literal>[A-Za-z0-9_.:/-]*)'\)$", RegexOptions.CultureInvariant)]
    private static partial Regex ChildEqualsPattern();

    /// <summary><c>path.exists() and path != false</c>, the same path twice.</summary>
    [GeneratedRegex(@"^(?<path>[A-Za-z][A-Za-z0-9.]*)\.exists\(\) and (?<again>[A-Za-z][A-Za-z0-9.]*) != false$", RegexOptions.CultureInvariant)]
    private static partial Regex ExistsAndNotFalsePattern();
}
