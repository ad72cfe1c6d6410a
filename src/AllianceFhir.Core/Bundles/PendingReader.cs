using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// What a unit of work reads: the store, with the unit's pending resources in place of what the store holds for them
/// (nothing is written before the commit, so the database cannot see them). Write hooks get it as their
/// <see cref="IResourceReader"/>; conditions, conditional references and a transaction's GET entries match through it.
/// </summary>
internal sealed class PendingReader(
    IResourceStore store,
    SearchService search,
    PendingResourceMatcher matcher,
    PendingResources pending,
    Func<SearchQuery, SearchQuery> authorizeSearch) : IResourceReader
{
    private const int HookSearchLimit = 1000;

    /// <summary>
    /// Current resources matching a search: those in the database that this transaction does not change, plus those
    /// this transaction writes, judged on their new content. Conditions and hook lookups refuse parameters the server
    /// would ignore, since ignoring one would match more than was meant; a GET search entry ignores them, as a search does.
    /// </summary>
    public async Task<List<PendingMatch>> FindAsync(
        string resourceType,
        string query,
        EntryMatching matching,
        int limit,
        CancellationToken cancellationToken)
    {
        var criteria = QueryParameters.Parse(query).Where(p => !ResultParameters.Contains(p.Key)).ToList();
        if (matching == EntryMatching.Condition && criteria.Count == 0)
        {
            throw FhirOperationException.BadRequest($"The condition '{query}' has no search parameters");
        }

        var parsed = search.Parse(resourceType, criteria);

        // The caller's conditions and searches may not reach types its scopes do not cover; a write hook's lookups are the server's own.
        if (matching != EntryMatching.Hook)
        {
            authorizeSearch(parsed);
        }

        if (parsed.Ignored.Count > 0 && matching != EntryMatching.Search)
        {
            throw FhirOperationException.BadRequest(
                $"The condition '{query}' uses parameters this server cannot apply: "
                + string.Join("; ", parsed.Ignored.Select(i => $"{i.Name}: {i.Reason}")));
        }

        // The parsed criteria leave the ignored parameters out, so the store applies exactly what the matcher does.
        var ours = pending.All.Where(p => p.Type == resourceType).ToList();
        var stored = await search.FindCurrentAsync(parsed, limit + ours.Count, cancellationToken);
        var matches = stored
            .Where(v => !pending.Contains(resourceType, v.Id))
            .Select(v => new PendingMatch(v.Id, v, null))
            .ToList();
        matches.AddRange(ours
            .Where(p => p.Resource is not null && matcher.Matches(parsed, p.Resource))
            .Select(p => new PendingMatch(p.Id, null, p)));
        return matches;
    }

    public async Task<Resource?> ReadAsync(string resourceType, string id, CancellationToken cancellationToken)
    {
        if (pending.TryGet(resourceType, id, out var p))
        {
            return p.Resource;
        }

        var version = await store.ReadCurrentAsync(resourceType, id, cancellationToken);
        return version is null || version.IsDeleted ? null : SharedDefinitions.Materialize(version);
    }

    public IReadOnlyCollection<ResourceKey> PendingChanges => pending.Keys;

    public async Task<IReadOnlyList<Resource>> SearchAsync(
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken)
    {
        var query = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var matches = await FindAsync(resourceType, query, EntryMatching.Hook, HookSearchLimit, cancellationToken);
        return [.. matches.Select(m => (m.Stored is null ? null : SharedDefinitions.Materialize(m.Stored)) ?? m.Pending!.Resource!)];
    }
}

/// <summary>A resource that matched: stored (and not changed by the unit), or one of the unit's pending resources.</summary>
internal sealed record PendingMatch(string Id, ResourceVersion? Stored, Pending? Pending);

internal enum EntryMatching
{
    /// <summary>ifNoneExist, conditional update/delete, conditional references: at least one parameter, all applied.</summary>
    Condition,

    /// <summary>A write hook's lookup: every parameter applied.</summary>
    Hook,

    /// <summary>A GET search entry: unknown parameters are ignored, as in a search.</summary>
    Search,
}
