using AllianceFhir.Core.Bundles;

namespace AllianceFhir.Core.Security;

/// <summary>
/// What a request (or a Bundle entry) is about to do: an interaction on one or more resource types, and the permission
/// it needs on each. System-level interactions list every type they reach.
/// </summary>
public sealed record AccessRequest(FhirInteraction Interaction, IReadOnlyList<string> ResourceTypes, Permissions Needs, string? Operation = null)
{
    public static AccessRequest Of(FhirInteraction interaction, string resourceType) =>
        new(interaction, [resourceType], InteractionPermissions.Required(interaction));

    public static AccessRequest OfTypes(FhirInteraction interaction, IReadOnlyList<string> resourceTypes) =>
        new(interaction, resourceTypes, InteractionPermissions.Required(interaction));

    public static AccessRequest OfOperation(OperationPermissions.Rule rule) =>
        new(FhirInteraction.Operation, rule.AllTypes, rule.Needs, rule.Name);

    /// <summary>The same decision for an entry of a transaction or batch as for the REST call it stands for.</summary>
    public static AccessRequest For(BundleEntryRequest entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var interaction = entry.Interaction switch
        {
            EntryInteraction.Read => FhirInteraction.Read,
            EntryInteraction.VRead => FhirInteraction.VRead,
            EntryInteraction.Search => FhirInteraction.SearchType,
            EntryInteraction.Create when entry.IfNoneExist is not null => FhirInteraction.ConditionalCreate,
            EntryInteraction.Create => FhirInteraction.Create,
            EntryInteraction.Update => FhirInteraction.Update,
            EntryInteraction.ConditionalUpdate => FhirInteraction.ConditionalUpdate,
            EntryInteraction.Delete => FhirInteraction.Delete,
            EntryInteraction.ConditionalDelete => FhirInteraction.ConditionalDelete,
            _ => throw new ArgumentOutOfRangeException(nameof(entry), entry.Interaction, "no access rule for this entry interaction"),
        };
        return Of(interaction, entry.ResourceType);
    }
}
