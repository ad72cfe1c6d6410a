using System.Globalization;
using System.Text;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.References;

/// <summary>
/// Every local reference in a resource, wherever it sits: not only the elements search parameters index, but
/// extensions, backbone elements and contained resources too, each with the FHIRPath of its element.
/// </summary>
public static class LocalReferences
{
    /// <param name="serviceBase">This server's base: absolute URLs under it are local references too (null: none known).</param>
    public static IReadOnlyList<LocalReference> Of(Resource resource, ServiceBase? serviceBase = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var found = new List<LocalReference>();
        Walk(resource, new StringBuilder(resource.TypeName), found, serviceBase ?? ServiceBase.None);
        return found;
    }

    private static void Walk(Base element, StringBuilder path, List<LocalReference> found, ServiceBase serviceBase)
    {
        // Most elements of a resource are primitives (every string, code, date, decimal): one without an extension holds
        // no reference, and enumerating its elements was most of this walk's cost (~55 KB for a submit's five resources).
        // TryGetValue reads the extension list without creating it, as the getter would.
        if (element is PrimitiveType && !element.TryGetValue("extension", out _))
        {
            return;
        }

        if (element is ResourceReference { Reference: { Length: > 0 } text }
            && LocalReference.TryParse(text, path.ToString(), serviceBase, out var local))
        {
            found.Add(local);
        }

        foreach (var (name, value) in element.EnumerateElements())
        {
            var length = path.Length;
            switch (value)
            {
                case Base single:
                    path.Append('.').Append(name);
                    Walk(single, path, found, serviceBase);
                    break;
                case IReadOnlyList<Base> list:
                    for (var index = 0; index < list.Count; index++)
                    {
                        path.Append('.').Append(name).Append('[').Append(CultureInfo.InvariantCulture, $"{index}").Append(']');
                        Walk(list[index], path, found, serviceBase);
                        path.Length = length;
                    }

                    break;
                case IEnumerable<Base> many:
                    var position = 0;
                    foreach (var item in many)
                    {
                        path.Append('.').Append(name).Append('[').Append(CultureInfo.InvariantCulture, $"{position}").Append(']');
                        Walk(item, path, found, serviceBase);
                        path.Length = length;
                        position++;
                    }

                    break;
            }

            path.Length = length;
        }
    }
}
