using System.Globalization;
using System.Text.RegularExpressions;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Export;

/// <summary>
/// Reads and checks the parameters of a Bulk Data 2.0 kick-off request (GET) before any job is recorded: every refusal
/// happens here. An unsupported parameter, type or element is 400, or under <c>Prefer: handling=lenient</c> dropped
/// and reported (the returned issues go into the job's error file); a malformed value is 400 either way.
/// </summary>
public sealed partial class ExportKickOff(AccessPolicy policy, SearchQueryParser parser)
{
    /// <summary>The output formats Bulk Data requires a server to accept, all meaning NDJSON.</summary>
    public static readonly IReadOnlySet<string> OutputFormats = new HashSet<string>(StringComparer.Ordinal)
    {
        "application/fhir+ndjson", "application/ndjson", "ndjson",
    };

    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "_outputFormat", "_since", "_type", "_typeFilter", "_elements",
    };

    /// <summary>The request, and what lenient handling dropped (empty otherwise).</summary>
    public (ExportRequest Request, IReadOnlyList<OperationOutcome.IssueComponent> Ignored) Read(
        ExportLevel level,
        string? groupId,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        bool lenient,
        AccessContext caller,
        string requestUrl,
        DateTimeOffset transactionTime)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var ignored = new List<OperationOutcome.IssueComponent>();
        void Drop(string what, string expression)
        {
            if (!lenient)
            {
                throw FhirOperationException.Of(System.Net.HttpStatusCode.BadRequest, OperationOutcome.IssueType.NotSupported,
                    $"{what} (send 'Prefer: handling=lenient' to have it ignored)", expression);
            }

            ignored.Add(Outcomes.Issue(OperationOutcome.IssueSeverity.Warning, OperationOutcome.IssueType.NotSupported,
                $"Ignored: {what}", expression));
        }

        foreach (var (name, _) in parameters.Where(p => !Supported.Contains(p.Key)))
        {
            Drop($"The parameter '{name}' is not supported by this server's $export", name);
        }

        var format = Single(parameters, "_outputFormat") ?? "application/fhir+ndjson";
        if (!OutputFormats.Contains(format))
        {
            throw FhirOperationException.BadRequest(
                $"_outputFormat '{format}' is not supported; use application/fhir+ndjson (or application/ndjson, ndjson)", "_outputFormat");
        }

        var since = Single(parameters, "_since") is { } sinceText ? ParseInstant(sinceText) : (DateTimeOffset?)null;
        var types = Types(level, parameters, caller, Drop);
        var filters = TypeFilters(parameters, types, caller, Drop);
        var elements = Elements(parameters, types, Drop);

        // The caller's access restrictions are applied the same way by the worker; a token whose scopes cannot be
        // applied to a type (several search-filtered scopes at once) is refused now, not after the job was recorded.
        foreach (var type in types)
        {
            policy.AuthorizeSearch(caller, parser.Parse(type, []));
        }

        var request = new ExportRequest(level, groupId, types, since, filters, elements, "application/fhir+ndjson", requestUrl, transactionTime);
        return (request, ignored);
    }

    private static string? Single(IReadOnlyList<KeyValuePair<string, string>> parameters, string name)
    {
        var values = parameters.Where(p => p.Key == name).Select(p => p.Value).ToList();
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw FhirOperationException.BadRequest($"{name} may be given once", name),
        };
    }

    private static IEnumerable<string> Listed(IReadOnlyList<KeyValuePair<string, string>> parameters, string name) =>
        parameters.Where(p => p.Key == name)
            .SelectMany(p => p.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>A FHIR instant: seconds and a time zone are required (R4 datatypes).</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Instant();

    private static DateTimeOffset ParseInstant(string text)
    {
        if (!Instant().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            throw FhirOperationException.BadRequest(
                $"_since '{text}' is not a FHIR instant (e.g. 2026-01-01T00:00:00Z: seconds and a time zone are required)", "_since");
        }

        return value;
    }

    private List<string> Types(ExportLevel level, IReadOnlyList<KeyValuePair<string, string>> parameters, AccessContext caller, Action<string, string> drop)
    {
        bool InScope(string type) => level == ExportLevel.System || PatientCompartment.Covers(type);

        var requested = Listed(parameters, "_type").Distinct(StringComparer.Ordinal).ToList();
        if (requested.Count == 0)
        {
            var all = SupportedResourceTypes.All.Where(t => InScope(t) && ExportAccess.MayExport(policy, caller, t)).ToList();
            return all.Count > 0 ? all : throw ExportAccess.Forbidden("*");
        }

        var types = new List<string>();
        foreach (var type in requested)
        {
            if (!SupportedResourceTypes.IsSupported(type))
            {
                drop($"_type '{type}' is not a resource type this server stores", "_type");
            }
            else if (!InScope(type))
            {
                drop($"_type '{type}' is not in the Patient compartment, which a {level.ToString().ToLowerInvariant()}-level export returns", "_type");
            }
            else if (!ExportAccess.MayExport(policy, caller, type))
            {
                throw ExportAccess.Forbidden(type);
            }
            else
            {
                types.Add(type);
            }
        }

        return types;
    }

    /// <summary>
    /// <c>_typeFilter=Type?query</c>, several comma-separated or repeated (the query's own commas percent-encoded): a
    /// type's queries are OR-ed. A query holds search criteria only; it is parsed as a search of the type is.
    /// </summary>
    private Dictionary<string, IReadOnlyList<string>> TypeFilters(
        IReadOnlyList<KeyValuePair<string, string>> parameters, List<string> types, AccessContext caller, Action<string, string> drop)
    {
        var filters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var filter in Listed(parameters, "_typeFilter"))
        {
            var question = filter.IndexOf('?', StringComparison.Ordinal);
            if (question <= 0 || question == filter.Length - 1)
            {
                throw FhirOperationException.BadRequest($"_typeFilter '{filter}' is not of the form [type]?[search]", "_typeFilter");
            }

            var type = filter[..question];
            var query = filter[(question + 1)..];
            if (!types.Contains(type))
            {
                drop($"_typeFilter '{filter}' names a type that is not exported", "_typeFilter");
                continue;
            }

            var pairs = QueryParameters.Parse(query);
            if (pairs.FirstOrDefault(p => ResultParameters.Contains(p.Key)) is { Key: { } result })
            {
                drop($"_typeFilter '{filter}' holds the result parameter {result}; a filter may hold search criteria only", "_typeFilter");
                continue;
            }

            var parsed = parser.Parse(type, pairs);
            if (parsed.Ignored.Count > 0)
            {
                drop($"_typeFilter '{filter}': {string.Join("; ", parsed.Ignored.Select(i => $"{i.Name}: {i.Reason}"))}", "_typeFilter");
                continue;
            }

            // Chains and _has reach other types: the caller must be allowed to search those, as for any search.
            policy.AuthorizeSearch(caller, parsed);
            if (!filters.TryGetValue(type, out var list))
            {
                filters[type] = list = [];
            }

            list.Add(query);
        }

        return filters.ToDictionary(f => f.Key, f => (IReadOnlyList<string>)f.Value, StringComparer.Ordinal);
    }

    /// <summary><c>_elements</c>: <c>[type].[element]</c> or <c>[element]</c>, top-level elements only.</summary>
    private static List<string> Elements(IReadOnlyList<KeyValuePair<string, string>> parameters, List<string> types, Action<string, string> drop)
    {
        var elements = new List<string>();
        foreach (var element in Listed(parameters, "_elements").Distinct(StringComparer.Ordinal))
        {
            var dot = element.IndexOf('.', StringComparison.Ordinal);
            var type = dot < 0 ? null : element[..dot];
            var name = dot < 0 ? element : element[(dot + 1)..];
            var candidates = type is null ? types : types.Where(t => t == type).ToList();
            if (name.Contains('.', StringComparison.Ordinal) || !candidates.Any(t => HasElement(t, name)))
            {
                drop($"_elements '{element}' is not a top-level element of an exported type", "_elements");
                continue;
            }

            elements.Add(element);
        }

        return elements;
    }

    internal static bool HasElement(string resourceType, string name) =>
        ModelInfo.GetTypeForFhirType(resourceType) is { } type
        && ModelInfo.ModelInspector.FindClassMapping(type)?.FindMappedElementByName(name) is not null;
}
