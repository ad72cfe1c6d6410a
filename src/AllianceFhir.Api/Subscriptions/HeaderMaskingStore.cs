using AllianceFhir.Api.Security;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Subscriptions;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Subscriptions;

/// <summary>
/// The request's store, with <c>Subscription.channel.header</c> values masked in everything it reads for a caller who may
/// not update that Subscription (<see cref="ChannelHeaderMask"/>). Every request path reads through this one store (REST
/// read, vread, history, search with its includes, Bundle entries, operations), so none can hand a credential out;
/// writes, and the background dispatcher's own reads, pass by unchanged.
/// </summary>
internal sealed class HeaderMaskingStore(IResourceStore inner, IHttpContextAccessor http, AccessPolicy policy) : IResourceStore
{
    public string Tenant => inner.Tenant;

    public async Task<ResourceVersion?> ReadCurrentAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        Masked(await inner.ReadCurrentAsync(resourceType, id, cancellationToken));

    public async Task<ResourceVersion?> ReadVersionAsync(string resourceType, string id, int versionId, CancellationToken cancellationToken) =>
        Masked(await inner.ReadVersionAsync(resourceType, id, versionId, cancellationToken));

    public async Task<IReadOnlyList<ResourceVersion>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken) =>
        MaskedAll(await inner.HistoryAsync(query, cancellationToken));

    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        var result = await inner.SearchAsync(request, cancellationToken);
        return result with { Matches = MaskedAll(result.Matches), Included = MaskedAll(result.Included) };
    }

    public Task<IReadOnlyList<ResourceKey>> FindReferrersAsync(string resourceType, string id, int limit, CancellationToken cancellationToken) =>
        inner.FindReferrersAsync(resourceType, id, limit, cancellationToken);

    public System.Threading.Tasks.Task CommitAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken) =>
        inner.CommitAsync(writes, cancellationToken);

    public System.Threading.Tasks.Task AppendAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken) =>
        inner.AppendAsync(writes, cancellationToken);

    private IReadOnlyList<ResourceVersion> MaskedAll(IReadOnlyList<ResourceVersion> versions) =>
        versions.Any(v => ChannelHeaderMask.MayHaveHeaders(v.ResourceType, v.Json)) ? [.. versions.Select(v => Masked(v)!)] : versions;

    private ResourceVersion? Masked(ResourceVersion? version)
    {
        if (version is null || !ChannelHeaderMask.MayHaveHeaders(version.ResourceType, version.Json)
            || FhirSerialization.ParseStored(version.Json!) is not Subscription { Channel.HeaderElement.Count: > 0 } subscription
            || ChannelHeaderMask.MaySee(policy, http.HttpContext?.FindAccessContext(), subscription))
        {
            return version;
        }

        ChannelHeaderMask.Mask(subscription);
        return version with { Json = FhirSerialization.ToStoredJson(subscription) };
    }
}
