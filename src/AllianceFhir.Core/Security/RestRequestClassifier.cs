using AllianceFhir.Core.Resources;

namespace AllianceFhir.Core.Security;

/// <summary>What a request under the FHIR base is, for access decisions.</summary>
public enum RestRequestKind
{
    /// <summary>Open to anyone: the CapabilityStatement and the SMART configuration.</summary>
    Public,

    /// <summary>An interaction with a known permission (<see cref="RestRequest.Access"/>).</summary>
    Interaction,

    /// <summary><c>POST [base]</c>: every entry of the transaction or batch is decided on its own.</summary>
    Bundle,

    /// <summary>
    /// A system-level operation whose resource types come with the request (<c>$import</c> and its status URLs): the
    /// caller is authenticated here, and the operation decides per type before it records anything
    /// (<see cref="OperationPermissions.System"/>).
    /// </summary>
    SystemOperation,

    /// <summary>Not a URL of the FHIR REST grammar this server decides access for.</summary>
    Unknown,
}

public sealed record RestRequest(RestRequestKind Kind, AccessRequest? Access = null)
{
    public static readonly RestRequest Public = new(RestRequestKind.Public);
    public static readonly RestRequest Bundle = new(RestRequestKind.Bundle);
    public static readonly RestRequest Unknown = new(RestRequestKind.Unknown);
}

/// <summary>
/// Reads the FHIR REST grammar (R4 http.html) from a method and the path below the base, so that every endpoint under
/// the base is decided by its URL shape: an endpoint added later is covered without being told about access, and a
/// shape this table does not know is <see cref="RestRequestKind.Unknown"/>, which the host refuses.
/// </summary>
public static class RestRequestClassifier
{
    public const string SmartConfigurationPath = ".well-known/smart-configuration";

    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path below the FHIR base, without query (e.g. <c>Patient/1/_history</c>).</param>
    /// <param name="systemTypes">For a whole-system search: the <c>_type</c> values, or empty for every type.</param>
    /// <param name="hasIfNoneExist">Whether a POST carries If-None-Exist (a conditional create).</param>
    public static RestRequest Classify(string method, string path, IReadOnlyList<string> systemTypes, bool hasIfNoneExist)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var get = method is "GET" or "HEAD";
        if (segments.Length == 0)
        {
            return method switch
            {
                "GET" or "HEAD" => Interaction(AccessRequest.OfTypes(FhirInteraction.SearchSystem, systemTypes.Count > 0 ? systemTypes : SupportedResourceTypes.All)),
                "POST" => RestRequest.Bundle,
                _ => RestRequest.Unknown,
            };
        }

        if (get && (path.Trim('/') == "metadata" || path.Trim('/') == SmartConfigurationPath))
        {
            return RestRequest.Public;
        }

        var type = segments[0];
        if (type.StartsWith('$'))
        {
            return OperationPermissions.FindSystem(method, segments) is { } system
                ? new RestRequest(RestRequestKind.SystemOperation, new AccessRequest(FhirInteraction.Operation, [], system.Needs, system.Name))
                : RestRequest.Unknown;
        }

        if (type == "_history" && segments.Length == 1 && get)
        {
            return Interaction(AccessRequest.OfTypes(FhirInteraction.HistorySystem, SupportedResourceTypes.All));
        }

        if (!SupportedResourceTypes.IsSupported(type))
        {
            return RestRequest.Unknown;
        }

        return (segments.Length, method) switch
        {
            (1, "GET" or "HEAD") => Of(FhirInteraction.SearchType, type),
            (1, "POST") => Of(hasIfNoneExist ? FhirInteraction.ConditionalCreate : FhirInteraction.Create, type),
            (1, "PUT") => Of(FhirInteraction.ConditionalUpdate, type),
            (1, "DELETE") => Of(FhirInteraction.ConditionalDelete, type),
            (2, "POST") when segments[1] == "_search" => Of(FhirInteraction.SearchType, type),
            (2, "GET" or "HEAD") when segments[1] == "_history" => Of(FhirInteraction.HistoryType, type),
            (2, _) when segments[1].StartsWith('$') => Operation(type, segments[1], instance: false),
            (2, _) when segments[1].StartsWith('_') => RestRequest.Unknown,
            (2, "GET" or "HEAD") => Of(FhirInteraction.Read, type),
            (2, "PUT") => Of(FhirInteraction.Update, type),
            (2, "PATCH") => Of(FhirInteraction.Patch, type),
            (2, "DELETE") => Of(FhirInteraction.Delete, type),
            (3, "GET" or "HEAD") when segments[2] == "_history" => Of(FhirInteraction.HistoryInstance, type),
            (3, _) when segments[2].StartsWith('$') => Operation(type, segments[2], instance: true),
            (4, "GET" or "HEAD") when segments[2] == "_history" => Of(FhirInteraction.VRead, type),
            _ => RestRequest.Unknown,
        };
    }

    private static RestRequest Of(FhirInteraction interaction, string type) => Interaction(AccessRequest.Of(interaction, type));

    private static RestRequest Interaction(AccessRequest access) => new(RestRequestKind.Interaction, access);

    private static RestRequest Operation(string type, string name, bool instance) =>
        OperationPermissions.Find(type, name, instance) is { } rule ? Interaction(AccessRequest.OfOperation(rule)) : RestRequest.Unknown;
}
