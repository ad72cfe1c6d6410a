using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Security;

/// <summary>
/// The one place that decides whether a caller may do an interaction on a resource type, from the caller's SMART
/// scopes. Every path asks it: the REST endpoints (through the host, by URL shape), each Bundle entry, operations,
/// and the types a search reaches through chains and includes.
/// </summary>
/// <remarks>
/// A <c>patient/</c> scope grants only resources in the Patient compartment of the token's patient
/// (<see cref="PatientCompartment"/>), and a search-filtered scope (<c>patient/Observation.rs?category=survey</c>) only
/// resources that match its search; these are the restricted grants (<see cref="AccessPolicy.IsRestricted"/>). Several
/// scopes on one type grant the union of what each grants. A restricted grant is applied to each resource a request
/// reaches: reads of others answer 404, writes 403, and searches get the restriction AND-ed into their query.
/// </remarks>
public sealed partial class AccessPolicy(PatientCompartment compartment, SearchParameterRegistry registry, ISearchIndexer indexer)
{
    /// <summary>The shared instrument catalog: readable and searchable with any valid token.</summary>
    private readonly HashSet<string> _catalog = new(StringComparer.Ordinal) { "Questionnaire", "CodeSystem", "ValueSet" };

    public bool IsCatalog(string resourceType) => _catalog.Contains(resourceType);

    /// <summary>What the caller's scopes grant on one resource type.</summary>
    public Permissions Granted(AccessContext caller, string resourceType)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var granted = caller.Scopes
            .Where(s => Honoured(caller, s, resourceType))
            .Aggregate(Permissions.None, (all, s) => all | s.Permissions);
        return IsCatalog(resourceType) ? granted | Permissions.Read | Permissions.Search : granted;
    }

    public AccessDecision Decide(AccessContext caller, AccessRequest request)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        foreach (var type in request.ResourceTypes)
        {
            var decision = Decide(caller, type, request.Needs, Describe(request));
            if (!decision.Allowed)
            {
                return decision;
            }
        }

        return AccessDecision.Allow;
    }

    /// <summary>Throws the 403 when the caller may not make the request.</summary>
    public void Demand(AccessContext caller, AccessRequest request)
    {
        var decision = Decide(caller, request);
        if (!decision.Allowed)
        {
            throw decision.ToException();
        }
    }

    /// <summary>
    /// A search may reach further than its type: chained parameters and <c>_has</c> search other types, and
    /// <c>_include</c>/<c>_revinclude</c> return them. Those types must be searchable (chains) or readable (includes).
    /// An include without a target type is narrowed to the targets the caller may read, so
    /// <c>_include=Observation:subject</c> still works for a caller who may read Patients but not Groups. Under a
    /// restricted grant (patient/ or search-filtered scopes) the returned query also carries the restriction.
    /// </summary>
    public SearchQuery AuthorizeSearch(AccessContext caller, SearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(query);
        foreach (var criterion in query.Criteria)
        {
            DemandChained(caller, criterion);
        }

        var includes = new List<IncludeSpec>();
        foreach (var include in query.Includes)
        {
            var targets = include.TargetType is { } target ? [target] : include.Parameter.Targets;
            var readable = targets.Where(t => Granted(caller, t).HasFlag(Permissions.Read)).ToList();
            if (readable.Count == 0)
            {
                throw Decide(caller, targets.Count > 0 ? targets[0] : include.SourceType, Permissions.Read, $"_include={include.SourceType}:{include.Parameter.Name}, which returns")
                    .ToException();
            }

            includes.AddRange(readable.Count == targets.Count && include.TargetType is null
                ? [include]
                : readable.Select(t => include with { TargetType = t }));
        }

        foreach (var revInclude in query.RevIncludes)
        {
            Demand(caller, revInclude.SourceType, Permissions.Read, $"_revinclude={revInclude.SourceType}:{revInclude.Parameter.Name}, which returns");
        }

        // Restricted grants narrow the search itself, and every chain into a restricted type; included resources are
        // filtered after the search (FilterIncluded), since an include cannot carry a condition.
        var criteria = new List<SearchCriterion>(query.Criteria);
        criteria.AddRange(query.Criteria.SelectMany(c => ChainRestrictions(caller, query.ResourceType, c)).ToList());
        criteria.AddRange(SearchRestriction(caller, query.ResourceType));
        return query with { Includes = includes, Criteria = criteria };
    }

    private void DemandChained(AccessContext caller, SearchCriterion criterion)
    {
        switch (criterion)
        {
            case ChainedCriterion chained:
                Demand(caller, chained.TargetType, Permissions.Search, $"the chained parameter {chained.Reference.Name}:{chained.TargetType}, which searches");
                DemandChained(caller, chained.Inner);
                break;
            case ReverseChainedCriterion reverse:
                Demand(caller, reverse.SourceType, Permissions.Search, $"_has:{reverse.SourceType}, which searches");
                DemandChained(caller, reverse.Inner);
                break;
        }
    }

    private void Demand(AccessContext caller, string type, Permissions needs, string what)
    {
        var decision = Decide(caller, type, needs, what);
        if (!decision.Allowed)
        {
            throw decision.ToException();
        }
    }

    private AccessDecision Decide(AccessContext caller, string type, Permissions needs, string what)
    {
        var missing = needs & ~Granted(caller, type);
        if (missing == Permissions.None)
        {
            return AccessDecision.Allow;
        }

        var context = caller.Scopes.Any(s => s.Context == ScopeContext.User) || caller.Scopes.All(s => s.Context != ScopeContext.System)
            ? ScopeContext.User
            : ScopeContext.System;
        var needed = new SmartScope(context, type, missing, []).ToString();
        var reason = $"{Capitalize(what)} {type} needs the scope {needed} (or {type}.{PermissionLetters.Of(missing)} in another context, or a * scope)";
        var unhonoured = caller.Scopes.Where(s => s.AppliesTo(type) && !Honoured(caller, s, type)).ToList();
        if (unhonoured.Any(s => s.Context == ScopeContext.Patient) && string.IsNullOrEmpty(caller.Patient))
        {
            reason += $"; the token has no patient claim, so its patient/ scopes ({string.Join(", ", unhonoured.Where(s => s.Context == ScopeContext.Patient))}) grant nothing";
        }
        else if (unhonoured.Any(s => s.Context == ScopeContext.Patient) && !PatientCompartment.Covers(type))
        {
            reason += $"; {type} resources are not in the Patient compartment, so patient/ scopes grant nothing on them";
        }
        else if (unhonoured.Count > 0)
        {
            reason += $"; the search of {string.Join(", ", unhonoured)} cannot be applied to {type} by this server, so it grants nothing";
        }

        return AccessDecision.Deny(needed, reason);
    }

    /// <summary>
    /// Whether a scope grants anything on the type: a patient/ scope needs the token's patient and a type that can be in
    /// the compartment, and a search-filtered scope a search this server can apply to a resource in memory.
    /// </summary>
    private bool Honoured(AccessContext caller, SmartScope scope, string type) =>
        scope.AppliesTo(type)
        && (scope.Context != ScopeContext.Patient || (!string.IsNullOrEmpty(caller.Patient) && PatientCompartment.Covers(type)))
        && (!scope.IsFiltered || FilterQuery(scope) is not null);

    private static string Describe(AccessRequest request) =>
        request.Interaction == FhirInteraction.Operation
            ? $"${request.Operation} on"
            : InteractionPermissions.Describe(request.Interaction);

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
