namespace AllianceFhir.Core.Pipeline;

/// <summary>
/// Resource-type specific work in the write pipeline (validation, derived data). Hooks run after the server has
/// assigned id and meta and before anything is persisted; whatever they add is committed in the same transaction.
/// Throw <see cref="Errors.FhirOperationException"/> to reject the write.
/// </summary>
public interface IResourceWriteHook
{
    /// <summary>The resource type this hook handles, e.g. "QuestionnaireResponse".</summary>
    string ResourceType { get; }

    Task OnWriteAsync(ResourceWriteContext context, CancellationToken cancellationToken);
}
