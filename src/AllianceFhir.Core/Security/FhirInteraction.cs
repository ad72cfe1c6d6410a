namespace AllianceFhir.Core.Security;

/// <summary>The FHIR REST interactions access is decided for; each needs the permissions <see cref="InteractionPermissions"/> lists.</summary>
public enum FhirInteraction
{
    Read,
    VRead,
    HistoryInstance,
    HistoryType,
    HistorySystem,
    SearchType,
    SearchSystem,
    Create,
    ConditionalCreate,
    Update,
    ConditionalUpdate,
    Patch,
    Delete,
    ConditionalDelete,
    Operation,
}

/// <summary>The permissions each interaction needs on the resource type it touches.</summary>
public static class InteractionPermissions
{
    /// <summary>
    /// read/vread/history → r, search → s, create → c, update/patch → u, delete → d. A conditional create, update or delete
    /// also needs s: its condition is a search, and its answer tells whether (and which) resource matched.
    /// Operations need what <see cref="OperationPermissions"/> says for each.
    /// </summary>
    public static Permissions Required(FhirInteraction interaction) => interaction switch
    {
        FhirInteraction.Read or FhirInteraction.VRead => Permissions.Read,
        FhirInteraction.HistoryInstance or FhirInteraction.HistoryType or FhirInteraction.HistorySystem => Permissions.Read,
        FhirInteraction.SearchType or FhirInteraction.SearchSystem => Permissions.Search,
        FhirInteraction.Create => Permissions.Create,
        FhirInteraction.ConditionalCreate => Permissions.Create | Permissions.Search,
        FhirInteraction.Update or FhirInteraction.Patch => Permissions.Update,
        FhirInteraction.ConditionalUpdate => Permissions.Update | Permissions.Search,
        FhirInteraction.Delete => Permissions.Delete,
        FhirInteraction.ConditionalDelete => Permissions.Delete | Permissions.Search,
        _ => throw new ArgumentOutOfRangeException(nameof(interaction), interaction, "an operation's permission is per operation"),
    };

    /// <summary>What an interaction is called in messages ("Reading", "Creating", …).</summary>
    public static string Describe(FhirInteraction interaction) => interaction switch
    {
        FhirInteraction.Read => "reading",
        FhirInteraction.VRead => "reading a version of",
        FhirInteraction.HistoryInstance or FhirInteraction.HistoryType or FhirInteraction.HistorySystem => "reading the history of",
        FhirInteraction.SearchType or FhirInteraction.SearchSystem => "searching",
        FhirInteraction.Create => "creating",
        FhirInteraction.ConditionalCreate => "conditionally creating",
        FhirInteraction.Update or FhirInteraction.Patch => "updating",
        FhirInteraction.ConditionalUpdate => "conditionally updating",
        FhirInteraction.Delete => "deleting",
        FhirInteraction.ConditionalDelete => "conditionally deleting",
        _ => "operating on",
    };
}
