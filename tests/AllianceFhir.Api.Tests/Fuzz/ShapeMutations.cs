using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace AllianceFhir.Api.Tests.Fuzz;

/// <summary>
/// Mutations that keep a body well-formed but give some element, anywhere in the tree, the wrong shape: an array as a
/// single object (the seed CI found: "contained" as one object), an object as an array, a primitive as an object, a key
/// twice, a number no decimal holds. Firely's parser checks shapes in several layers, and each layer has thrown
/// something of its own at least once.
/// </summary>
public static class ShapeMutations
{
    /// <summary>Numbers beyond double and decimal, and spellings of ordinary ones that parsers treat differently.</summary>
    private static readonly string[] Numbers =
    [
        "1e400", "-1e400", "1E-400", "1" + new string('0', 400), "0." + new string('0', 40) + "1", "79228162514264337593543950336",
        "-79228162514264337593543950335.5", "4.9e-324", "1.7976931348623157e308", "9007199254740993", "-0.0", "0e-10",
        "1.00000000000000000000000000001", "2147483648", "-2147483649", "1e2", "10.0e-1",
    ];

    private static readonly JsonNode?[] DuplicateValues =
    [
        JsonValue.Create("other"), JsonValue.Create(1), JsonValue.Create(true), null, new JsonObject { ["id"] = "x" }, new JsonArray(),
    ];

    private const string Marker = "fuzz-duplicate-7c1d";

    public static string ReshapeJson(string json, int which, int how)
    {
        var root = JsonNode.Parse(json)!;
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        if (nodes.Count < 2)
        {
            return json;
        }

        // The root keeps its shape (the body guard refuses a non-object root first); every other node may change.
        var target = nodes[1 + (which % (nodes.Count - 1))];
        if (how % 8 == 7)
        {
            return Duplicate(root, target, how / 8);
        }

        JsonNode? replacement = (how % 8) switch
        {
            0 => target is JsonArray { Count: > 0 } array ? array[0]?.DeepClone() : new JsonArray(target.DeepClone()),
            1 => new JsonArray(target.DeepClone()),
            2 => target is JsonValue ? new JsonObject { ["value"] = target.DeepClone() } : JsonValue.Create(target.ToJsonString()),
            3 => target is JsonObject { Count: > 0 } obj ? obj.First().Value?.DeepClone() : new JsonObject(),
            4 => JsonNode.Parse(Numbers[(how / 8) % Numbers.Length]),
            5 => new JsonArray(target.DeepClone(), target.DeepClone()),
            _ => target is JsonArray { Count: > 0 } withNull ? WithNull(withNull, how / 8) : null,
        };
        Replace(target, replacement);
        return root.ToJsonString();
    }

    /// <summary>The same property twice in one object, or a primitive's "_name" sibling with an odd value.</summary>
    private static string Duplicate(JsonNode root, JsonNode target, int choice)
    {
        var owner = target as JsonObject ?? target.Parent as JsonObject ?? target.Parent?.Parent as JsonObject;
        if (owner is not { Count: > 0 })
        {
            return root.ToJsonString();
        }

        var (name, value) = owner.ElementAt(choice % owner.Count);
        var shadow = choice % 3 == 2 && !name.StartsWith('_');
        owner[Marker] = choice % 2 == 0 ? value?.DeepClone() : DuplicateValues[(choice / 2) % DuplicateValues.Length]?.DeepClone();
        return root.ToJsonString().Replace(
            JsonSerializer.Serialize(Marker) + ":",
            JsonSerializer.Serialize(shadow ? "_" + name : name) + ":",
            StringComparison.Ordinal);
    }

    private static JsonArray WithNull(JsonArray array, int at)
    {
        var copy = (JsonArray)array.DeepClone();
        copy.Insert(at % (copy.Count + 1), null);
        return copy;
    }

    /// <summary>Puts <paramref name="replacement"/> where <paramref name="target"/> is; false for the root, which has no place.</summary>
    internal static bool Replace(JsonNode target, JsonNode? replacement)
    {
        switch (target.Parent)
        {
            case JsonObject parent:
                parent[target.GetPropertyName()] = replacement;
                return true;
            case JsonArray array:
                array[target.GetElementIndex()] = replacement;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The XML counterparts: an element repeated (a single-valued element given twice), an element's children moved
    /// into its value attribute's place, a value attribute on a complex element or removed from a primitive, an
    /// unknown attribute, or a foreign namespace.
    /// </summary>
    public static string ReshapeXml(string xml, int which, int how)
    {
        var document = XDocument.Parse(xml);
        var elements = document.Root!.Descendants().Where(e => e.Name.Namespace == document.Root.Name.Namespace).ToList();
        if (elements.Count == 0)
        {
            return xml;
        }

        var target = elements[which % elements.Count];
        switch (how % 7)
        {
            case 0:
                target.AddAfterSelf(new XElement(target));
                break;
            case 1:
                target.SetAttributeValue("value", Numbers[(how / 7) % Numbers.Length]);
                break;
            case 2:
                target.Attribute("value")?.Remove();
                break;
            case 3:
                target.SetAttributeValue("id", how % 2 == 0 ? "" : "x y");
                break;
            case 4:
                target.SetAttributeValue("unknown", "x");
                break;
            case 5:
                target.Name = XName.Get(target.Name.LocalName, "http://example.org/not-fhir");
                break;
            default:
                target.Add(new XElement(target.Name.Namespace + "extension", new XAttribute("url", "http://example.org/e")));
                break;
        }

        return document.ToString(SaveOptions.DisableFormatting);
    }

    public static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is not null)
            {
                Collect(child, into);
            }
        }
    }
}
