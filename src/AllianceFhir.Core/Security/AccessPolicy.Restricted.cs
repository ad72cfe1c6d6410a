using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Security;

/// <summary>
/// Restricted grants: what <c>patient/</c> scopes (the Patient compartment of the token's patient) and search-filtered
/// scopes (the resources matching the scope's search) allow on individual resources and on searches.
/// </summary>
public sealed partial class AccessPolicy
{
    /// <summary>
    /// Whether the caller holds <paramref name="permission"/> on the type only for some of its resources; false when it
    /// holds it for all of them (or not at all, which <see cref="Decide(AccessContext, AccessRequest)"/> refuses).
    /// </summary>
    /// <remarks>
    /// <see cref="RestrictingScopes"/> without its list: asked on every request by id (RestrictedAccess), where nearly
    /// every caller has an unrestricted grant and the answer is known at the first scope that gives it.
    /// </remarks>
    public bool IsRestricted(AccessContext caller, string resourceType, Permissions permission)
    {
        if (IsCatalog(resourceType) && (Permissions.Read | Permissions.Search).HasFlag(permission))
        {
            return false;
        }

        var restricted = false;
        for (var i = 0; i < caller.Scopes.Count; i++)
        {
            var scope = caller.Scopes[i];
            if ((scope.Permissions & permission) != permission || !Honoured(caller, scope, resourceType))
            {
                continue;
            }

            if (scope.Context != ScopeContext.Patient && !scope.IsFiltered)
            {
                return false;
            }

            restricted = true;
        }

        return restricted;
    }

    /// <summary>
    /// Refuses the interactions a restricted grant cannot be applied to, so that they never answer with resources
    /// outside it: history of a type or the server (history versions cannot be searched by compartment), whole-system
    /// search (one query over several types), conditional writes (the condition would be judged on every resource),
    /// and patch (the patched content is not known before it is applied).
    /// </summary>
    public void DemandApplicable(AccessContext caller, AccessRequest request)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var why = request.Interaction switch
        {
            FhirInteraction.HistoryType or FhirInteraction.HistorySystem =>
                "it would list versions of resources outside them; read each resource's own history (GET [type]/[id]/_history) instead",
            FhirInteraction.SearchSystem => "a whole-system search cannot carry their restriction; search each type instead",
            FhirInteraction.ConditionalCreate or FhirInteraction.ConditionalUpdate or FhirInteraction.ConditionalDelete =>
                "the condition would be judged on resources outside them; search first, then write by id",
            FhirInteraction.Patch => "the patched resource cannot be checked before the patch is applied; update with the whole resource instead",
            _ => null,
        };
        // Every other interaction carries the restriction itself (reads by id ask RestrictedAccess, searches the query).
        if (why is null)
        {
            return;
        }

        var flags = Enum.GetValues<Permissions>().Where(f => f is not (Permissions.None or Permissions.All) && request.Needs.HasFlag(f)).ToList();
        var restricted = request.ResourceTypes.Where(t => flags.Any(f => IsRestricted(caller, t, f))).ToList();
        if (restricted.Count > 0)
        {
            throw Refusal(
                $"{Capitalize(Describe(request))} {string.Join(", ", restricted)} is not offered to a token whose patient/ or search-filtered scopes "
                + $"grant only some of those resources: {why}");
        }
    }

    /// <summary>Whether the caller may do what <paramref name="permission"/> stands for on this very resource.</summary>
    public bool Permits(AccessContext caller, Permissions permission, Resource resource)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(resource);
        var scopes = RestrictingScopes(caller, resource.TypeName, permission);
        return scopes is null || scopes.Any(s => Satisfies(caller, s, resource));
    }

    /// <summary>
    /// The content a write under a restricted grant leaves behind must lie inside it: creating or moving a resource out
    /// is a 403. Which stored resource a write by id may change is <see cref="DemandWritableByIdAsync"/>'s to decide.
    /// </summary>
    public void DemandWrite(AccessContext caller, Permissions permission, Resource? incoming)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (incoming is not null && !Permits(caller, permission, incoming))
        {
            throw Refusal($"The {incoming.TypeName} would be outside {Describe(caller, incoming.TypeName, permission)}, so this token may not write it");
        }
    }

    /// <summary>Drops the included resources the caller may not read; the matches were restricted by the query itself.</summary>
    public SearchResult FilterIncluded(AccessContext caller, SearchResult result)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(result);
        var types = result.Included.Select(v => v.ResourceType).Distinct(StringComparer.Ordinal);
        if (!types.Any(t => IsRestricted(caller, t, Permissions.Read)))
        {
            return result;
        }

        return result with
        {
            Included = [.. result.Included.Where(v => !IsRestricted(caller, v.ResourceType, Permissions.Read) || (v.ToResource() is { } r && Permits(caller, Permissions.Read, r)))],
        };
    }

    /// <summary>
    /// The criteria a search of the type must AND in for the caller, or empty when the caller may search all of them.
    /// Several restricting scopes grant the union of their searches; a union the query model cannot express (two
    /// different search filters) is refused rather than widened.
    /// </summary>
    private List<SearchCriterion> SearchRestriction(AccessContext caller, string type)
    {
        var scopes = RestrictingScopes(caller, type, Permissions.Search);
        if (scopes is not { Count: > 0 })
        {
            return [];
        }

        // A scope whose restriction is implied by another's (patient/Observation.rs next to patient/Observation.rs?x=y) adds nothing.
        var widest = new List<SmartScope>();
        foreach (var scope in scopes.Where(s => !widest.Any(w => Wider(w, s))))
        {
            widest.RemoveAll(w => Wider(scope, w));
            widest.Add(scope);
        }

        if (widest.Count > 1)
        {
            throw Refusal(
                $"This server cannot search {type} under several search-filtered scopes at once ({string.Join(", ", widest)}); "
                + "ask for a token with one of them, or search with a narrower one");
        }

        var only = widest[0];
        var criteria = new List<SearchCriterion>();
        if (only.Context == ScopeContext.Patient)
        {
            criteria.Add(CompartmentCriterion(type, caller.Patient!));
        }

        if (only.IsFiltered)
        {
            criteria.AddRange(FilterQuery(only, caller.ServiceBase)!.Criteria);
        }

        return criteria;
    }

    /// <summary>Whether <paramref name="a"/> grants at least every resource <paramref name="b"/> grants.</summary>
    private static bool Wider(SmartScope a, SmartScope b) =>
        (a.Context != ScopeContext.Patient || b.Context == ScopeContext.Patient) && a.Filter.All(b.Filter.Contains);

    /// <summary>
    /// The compartment as one search criterion: any of the type's membership parameters refers to the patient (and for
    /// Patient, the patient itself), the same test <see cref="PatientCompartment.Contains"/> makes on one resource, so a
    /// search finds exactly what a read by id would return.
    /// </summary>
    private SearchCriterion CompartmentCriterion(string type, string patient)
    {
        var members = PatientCompartment.ParametersOf(type)
            .Select(name => registry.TryGet(type, name, out var parameter) ? parameter : throw new InvalidOperationException($"{type} has no search parameter '{name}'"))
            .Select(p => (SearchCriterion)new ParameterCriterion(p, SearchModifier.None, null, [new ReferenceSearchValue(nameof(Patient), patient, null, null)]))
            .ToList();
        if (type == nameof(Patient))
        {
            members.Insert(0, PatientItself(patient));
        }

        return members is [var only] ? only : new AnyOfCriterion(members);
    }

    private ParameterCriterion PatientItself(string patient)
    {
        registry.TryGet(nameof(Patient), "_id", out var id);
        return new ParameterCriterion(id, SearchModifier.None, null, [new TokenSearchValue(null, patient)]);
    }

    /// <summary>
    /// Criteria to AND beside a chain or <c>_has</c> so that it cannot look into resources the caller may not search:
    /// a chain into a restricted type gets a sibling chain carrying the restriction. A <c>_has</c> over a restricted
    /// type is exact only when it asks about the caller's own Patient through a compartment parameter (the sources are
    /// then compartment members by definition); any other such <c>_has</c> is refused.
    /// </summary>
    private IEnumerable<SearchCriterion> ChainRestrictions(AccessContext caller, string searchedType, SearchCriterion criterion)
    {
        switch (criterion)
        {
            case ChainedCriterion chained:
                foreach (var restriction in SearchRestriction(caller, chained.TargetType))
                {
                    yield return chained with { Inner = restriction };
                }

                foreach (var nested in ChainRestrictions(caller, chained.TargetType, chained.Inner))
                {
                    yield return chained with { Inner = nested };
                }

                break;
            case ReverseChainedCriterion reverse when IsRestricted(caller, reverse.SourceType, Permissions.Search):
                var sources = RestrictingScopes(caller, reverse.SourceType, Permissions.Search)!;
                var exact = searchedType == nameof(Patient)
                    && SearchRestriction(caller, nameof(Patient)) is [AnyOfCriterion] // the compartment alone (a scope's search adds plain criteria)
                    && sources.Any(s => s.Context == ScopeContext.Patient && !s.IsFiltered)
                    && PatientCompartment.ParametersOf(reverse.SourceType).Contains(reverse.Reference.Name)
                    && reverse.Inner is ParameterCriterion;
                if (!exact)
                {
                    throw Refusal(
                        $"_has:{reverse.SourceType}:{reverse.Reference.Name} would look into {reverse.SourceType} resources this token may search only in part; "
                        + $"with patient/ scopes, _has works on the token's own Patient through a compartment parameter ({string.Join(", ", PatientCompartment.ParametersOf(reverse.SourceType))})");
                }

                // The sources pointing at the token's own Patient through a compartment parameter are members by definition;
                // those pointing at a Patient that is a member only through its link are that Patient's, so it is left out.
                yield return PatientItself(caller.Patient!);
                break;
        }
    }

    /// <summary>
    /// The scopes that grant <paramref name="permission"/> on the type only for some resources, or null when a scope (or
    /// the shared catalog) grants it for all of them.
    /// </summary>
    private List<SmartScope>? RestrictingScopes(AccessContext caller, string type, Permissions permission)
    {
        if (IsCatalog(type) && (Permissions.Read | Permissions.Search).HasFlag(permission))
        {
            return null;
        }

        var scopes = caller.Scopes.Where(s => (s.Permissions & permission) == permission && Honoured(caller, s, type)).ToList();
        return scopes.Any(s => s.Context != ScopeContext.Patient && !s.IsFiltered) ? null : scopes;
    }

    private bool Satisfies(AccessContext caller, SmartScope scope, Resource resource) =>
        (scope.Context != ScopeContext.Patient || compartment.Contains(resource, caller.Patient!, caller.ServiceBase))
        && (!scope.IsFiltered || new PendingResourceMatcher(indexer, caller.ServiceBase).Matches(FilterQuery(scope, caller.ServiceBase)!, resource));

    /// <summary>A scope's search, parsed for its type; null when the server cannot apply all of it.</summary>
    private SearchQuery? FilterQuery(SmartScope scope, ServiceBase? serviceBase = null)
    {
        try
        {
            var query = new SearchQueryParser(registry, serviceBase).Parse(scope.ResourceType, scope.Filter);
            return query.Ignored.Count == 0 && query.Criteria.All(c => c is ParameterCriterion) ? query : null;
        }
        catch (FhirOperationException)
        {
            return null;
        }
    }

    private string Describe(AccessContext caller, string type, Permissions permission)
    {
        var scopes = RestrictingScopes(caller, type, permission) ?? [];
        return scopes.Count == 0
            ? $"what this token's scopes grant on {type}"
            : string.Join(" or ", scopes.Select(s => s.Context == ScopeContext.Patient
                ? $"the Patient compartment of Patient/{caller.Patient}" + (s.IsFiltered ? $" matching {s}" : string.Empty)
                : $"the search of {s}"));
    }

    private static FhirOperationException Refusal(string reason) =>
        FhirOperationException.Of(System.Net.HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, reason);
}
