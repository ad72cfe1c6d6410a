using System.Diagnostics.CodeAnalysis;
using AllianceFhir.Core.Resources;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Security;

/// <summary>
/// One SMART on FHIR resource scope: <c>{patient|user|system}/{Type|*}.{permissions}[?{search}]</c>, in the v1 form
/// (<c>read</c>, <c>write</c>, <c>*</c>) or the v2 form (<c>cruds</c> letters). A v2 scope may narrow itself to the
/// resources that match a search (<see cref="Filter"/>), e.g. <c>patient/Observation.rs?category=survey</c>.
/// </summary>
public sealed record SmartScope(ScopeContext Context, string ResourceType, Permissions Permissions, IReadOnlyList<KeyValuePair<string, string>> Filter)
{
    public const string AnyType = "*";

    public bool IsFiltered => Filter.Count > 0;

    public bool AppliesTo(string resourceType) => ResourceType == AnyType || ResourceType == resourceType;

    /// <summary>The scope as SMART writes it (v2 letters).</summary>
    public override string ToString() =>
        $"{ContextName(Context)}/{ResourceType}.{PermissionLetters.Of(Permissions)}"
        + (IsFiltered ? "?" + string.Join('&', Filter.Select(f => $"{f.Key}={f.Value}")) : string.Empty);

    public static string ContextName(ScopeContext context) => context switch
    {
        ScopeContext.Patient => "patient",
        ScopeContext.User => "user",
        _ => "system",
    };

    /// <summary>Parses one scope; false for anything that is not a resource scope (openid, launch, fhirUser, …) or is malformed.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out SmartScope? scope)
    {
        scope = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (slash <= 0 || dot <= slash + 1)
        {
            return false;
        }

        ScopeContext? context = text[..slash] switch
        {
            "patient" => ScopeContext.Patient,
            "user" => ScopeContext.User,
            "system" => ScopeContext.System,
            _ => null,
        };
        var type = text[(slash + 1)..dot];
        if (context is null || (type != AnyType && !ModelInfo.IsKnownResource(type)))
        {
            return false;
        }

        var rest = text[(dot + 1)..];
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        var permissionText = question < 0 ? rest : rest[..question];
        IReadOnlyList<KeyValuePair<string, string>> filter = [];
        Permissions permissions;
        switch (permissionText)
        {
            // v1 names; SMART v2 reads "read" as rs and "write" as cud.
            case "read":
                permissions = Permissions.Read | Permissions.Search;
                break;
            case "write":
                permissions = Permissions.Create | Permissions.Update | Permissions.Delete;
                break;
            case "*":
                permissions = Permissions.All;
                break;
            default:
                if (!PermissionLetters.TryParse(permissionText, out permissions))
                {
                    return false;
                }

                break;
        }

        if (question >= 0)
        {
            // Only v2 scopes carry a search, and a search on "*" has no type to be a search of.
            filter = QueryParameters.Parse(rest[(question + 1)..]);
            if (filter.Count == 0 || type == AnyType || permissionText is "read" or "write" or "*")
            {
                return false;
            }
        }

        scope = new SmartScope(context.Value, type, permissions, filter);
        return true;
    }

    /// <summary>The resource scopes of a space-separated scope string; other and malformed scopes grant nothing and are left out.</summary>
    public static IReadOnlyList<SmartScope> ParseAll(IEnumerable<string> scopeStrings) =>
        [.. scopeStrings
            .SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => TryParse(s, out var scope) ? scope : null)
            .OfType<SmartScope>()];
}
