namespace AllianceFhir.Core.Pipeline;

/// <summary>
/// Work over everything one write puts in place — its own resource and what the resource-type hooks derived from it
/// (<see cref="ResourceWriteContext.DependentWrites"/>), against what it replaces (<see cref="ResourceWriteContext.Previous"/>)
/// — whichever resource type carried it: rules over scores see a score the same way whether a client wrote it or a
/// response's extraction did. Runs once per write on every path (REST, conditional, Bundle entry, import line), after
/// the type hooks and before anything is persisted. What it adds are dependent writes too, which run no hooks, so its
/// own output never triggers it again.
/// </summary>
public interface IWriteSetHook
{
    Task OnWriteSetAsync(ResourceWriteContext context, CancellationToken cancellationToken);
}
