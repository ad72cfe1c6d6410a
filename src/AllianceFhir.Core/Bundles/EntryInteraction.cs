namespace AllianceFhir.Core.Bundles;

/// <summary>The REST interaction a Bundle entry's request stands for.</summary>
public enum EntryInteraction
{
    Read,
    VRead,
    Search,
    Create,
    Update,
    ConditionalUpdate,
    Delete,
    ConditionalDelete,
}
