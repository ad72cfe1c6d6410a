using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// Rewrites the references of a resource to the server identities the Bundle's entries received: every
/// <c>Reference.reference</c> equal to an entry's fullUrl, anywhere in the resource (nested elements, extensions,
/// contained resources), and uri/canonical values and narrative links equal to a <c>urn:uuid:</c>/<c>urn:oid:</c> fullUrl.
/// </summary>
/// <remarks>
/// uri and canonical values are rewritten only for urn: fullUrls. An http fullUrl is often also the resource's
/// canonical url (a ValueSet PUT with fullUrl = its url); rewriting those would turn every canonical reference to it,
/// and its own <c>url</c>, into a local id.
/// </remarks>
public static partial class ReferenceRewriter
{
    /// <summary>Rewrites in place; returns the urn: references that no entry of the Bundle resolves.</summary>
    public static List<string> Rewrite(Resource resource, IReadOnlyDictionary<string, string> identities)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var unresolved = new List<string>();
        Walk(resource, identities, unresolved);
        return unresolved;
    }

    /// <summary>Every <c>Reference</c> in the resource, nested ones included.</summary>
    public static IEnumerable<ResourceReference> References(Base element)
    {
        ArgumentNullException.ThrowIfNull(element);
        if (element is ResourceReference reference)
        {
            yield return reference;
        }

        foreach (var child in Children(element))
        {
            foreach (var nested in References(child))
            {
                yield return nested;
            }
        }
    }

    public static bool IsUrn(string value) =>
        value.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("urn:oid:", StringComparison.OrdinalIgnoreCase);

    private static void Walk(Base element, IReadOnlyDictionary<string, string> identities, List<string> unresolved)
    {
        switch (element)
        {
            case ResourceReference { Reference: { Length: > 0 } target } reference:
                if (identities.TryGetValue(target, out var local))
                {
                    reference.Reference = local;
                }
                else if (IsUrn(target))
                {
                    unresolved.Add(target);
                }

                break;
            case FhirUri uri:
                uri.Value = RewriteUrn(uri.Value, identities);
                break;
            case Canonical canonical:
                canonical.Value = RewriteUrn(canonical.Value, identities);
                break;
            case FhirUrl url:
                url.Value = RewriteUrn(url.Value, identities);
                break;
            case Narrative { Div: { Length: > 0 } div } narrative:
                narrative.Div = UrnAttribute().Replace(div, m =>
                    identities.TryGetValue(m.Groups["urn"].Value, out var target) ? $"{m.Groups["attr"].Value}=\"{target}\"" : m.Value);
                break;
        }

        foreach (var child in Children(element))
        {
            Walk(child, identities, unresolved);
        }
    }

    private static string? RewriteUrn(string? value, IReadOnlyDictionary<string, string> identities) =>
        value is not null && IsUrn(value) && identities.TryGetValue(value, out var local) ? local : value;

    private static IEnumerable<Base> Children(Base element)
    {
        foreach (var (_, value) in element.EnumerateElements())
        {
            switch (value)
            {
                case Base single:
                    yield return single;
                    break;
                case IEnumerable<Base> many:
                    foreach (var item in many)
                    {
                        yield return item;
                    }

                    break;
            }
        }
    }

    [GeneratedRegex("(?<attr>href|src)=\"(?<urn>urn:(?:uuid|oid):[^\"]+)\"", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex UrnAttribute();
}
