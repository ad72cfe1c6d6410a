using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Core.Import;

/// <summary>What one imported line asks the store to do, before anything is committed.</summary>
/// <param name="Writes">The versions to commit (the resource, then what its hooks derive); empty when unchanged.</param>
/// <param name="Resources">The resources <paramref name="Writes"/> hold, in the same order, for the batch's reader.</param>
/// <param name="Condition">The identifier condition a new QuestionnaireResponse claims, if any.</param>
public sealed record ImportLinePlan(IReadOnlyList<ResourceWrite> Writes, IReadOnlyList<Resource?> Resources, string? Condition)
{
    public bool Unchanged => Writes.Count == 0;
}

/// <summary>
/// Turns one parsed resource into the writes a REST write of it would make, through the same write pipeline
/// (<see cref="ResourceService.PrepareAsync(WriteOperation, string, string, Resource?, ResourceVersion?, string, IResourceReader, CancellationToken)"/>:
/// meta, the type's write hooks, referential integrity):
/// <list type="bullet">
/// <item>with an id: an update of that id, or an update-as-create (<c>PUT [type]/[id]</c>);</item>
/// <item>a QuestionnaireResponse without id but with an <c>identifier</c>: a conditional update on that identifier
/// (<c>PUT QuestionnaireResponse?identifier=system|value</c>), so re-importing a form export finds its responses;</item>
/// <item>anything else: a create with a new id.</item>
/// </list>
/// A resource whose content equals its current version is left alone (no new version): FHIR versions record changes,
/// and importing the same file twice must leave the same data, history included.
/// </summary>
public sealed class ImportLineWriter(ResourceService service, SearchService search, IResourceStore store)
{
    /// <summary>The identifier condition a line will claim or match, so a batch holding it already can be committed first.</summary>
    public static string? ConditionOf(Resource resource) =>
        IdentifierCondition(resource) is { } parameters ? ConditionKey.Of(parameters) : null;

    public async Task<ImportLinePlan> PrepareAsync(Resource resource, IResourceReader reader, CancellationToken cancellationToken)
    {
        var type = resource.TypeName;
        if (!string.IsNullOrEmpty(resource.Id))
        {
            if (!FhirId.IsValid(resource.Id))
            {
                throw FhirOperationException.BadRequest($"'{resource.Id}' is not a valid FHIR id", $"{type}.id");
            }

            return await UpsertAsync(type, resource.Id, resource, claim: null, reader, cancellationToken);
        }

        if (IdentifierCondition(resource) is { } parameters)
        {
            var condition = ConditionKey.Of(parameters);
            var matches = await search.FindCurrentAsync(type, parameters, limit: 2, cancellationToken);
            return matches.Count switch
            {
                0 => await UpsertAsync(type, FhirId.New(), resource, new ConditionClaim(condition, null), reader, cancellationToken) with { Condition = condition },
                1 => await UpsertAsync(type, matches[0].Id, resource, claim: null, reader, cancellationToken),
                _ => throw FhirOperationException.PreconditionFailed(
                    $"The {type}'s identifier matches more than one stored {type}; it cannot say which one to update"),
            };
        }

        var id = FhirId.New();
        var prepared = await service.PrepareWriteAsync(WriteOperation.Create, type, id, resource, null, "POST", reader, cancellationToken);
        return new ImportLinePlan(prepared.Writes, prepared.Resources, null);
    }

    private async Task<ImportLinePlan> UpsertAsync(
        string type,
        string id,
        Resource resource,
        ConditionClaim? claim,
        IResourceReader reader,
        CancellationToken cancellationToken)
    {
        resource.Id = id;
        var current = await store.ReadCurrentAsync(type, id, cancellationToken);
        var live = current is { IsDeleted: false } ? current : null;
        var operation = live is null ? WriteOperation.Create : WriteOperation.Update;
        var prepared = await service.PrepareWriteAsync(operation, type, id, resource, current, "PUT", reader, cancellationToken);
        var writes = prepared.Writes;
        if (live is not null && SameContent(live, writes[0]))
        {
            return new ImportLinePlan([], [], null);
        }

        if (claim is not null)
        {
            writes[0] = writes[0] with { Claim = claim };
        }

        return new ImportLinePlan(writes, prepared.Resources, null);
    }

    /// <summary>Equal but for the version and time stamps the new version was given.</summary>
    private static bool SameContent(ResourceVersion current, ResourceWrite write)
    {
        if (current.Json is null || write.Json is null)
        {
            return false;
        }

        var stored = FhirSerialization.ParseStored(current.Json);
        stored.Meta ??= new Meta();
        stored.Meta.VersionId = write.VersionId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        stored.Meta.LastUpdated = write.LastUpdated;
        return string.Equals(FhirSerialization.JsonSerializer.SerializeToString(stored), write.Json, StringComparison.Ordinal);
    }

    private static List<KeyValuePair<string, string>>? IdentifierCondition(Resource resource)
    {
        if (resource is not QuestionnaireResponse { Identifier: { Value: { Length: > 0 } value } identifier } || !string.IsNullOrEmpty(resource.Id))
        {
            return null;
        }

        return [new("identifier", $"{Escape(identifier.System ?? string.Empty)}|{Escape(value)}")];
    }

    /// <summary>FHIR search escaping of a token part (search.html#escaping).</summary>
    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("|", "\\|", StringComparison.Ordinal)
            .Replace(",", "\\,", StringComparison.Ordinal)
            .Replace("$", "\\$", StringComparison.Ordinal);
}
