namespace AllianceFhir.Core.Pipeline;

public enum WriteOperation
{
    Create,
    Update,
    Delete,
}
