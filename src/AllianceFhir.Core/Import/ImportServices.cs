using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;

namespace AllianceFhir.Core.Import;

/// <summary>
/// What an import job writes and reads through, all over one tenant's store: a job runs outside any request, so it
/// cannot take the request-bound services from DI.
/// </summary>
public sealed record ImportServices(IResourceStore Store, ResourceService Resources, SearchService Search, IResourceReader Reader);
