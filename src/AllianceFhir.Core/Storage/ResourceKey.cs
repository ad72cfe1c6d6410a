namespace AllianceFhir.Core.Storage;

/// <summary>The identity of a resource on this server: its type and logical id.</summary>
public sealed record ResourceKey(string ResourceType, string Id)
{
    public override string ToString() => $"{ResourceType}/{Id}";
}
